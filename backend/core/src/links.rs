//! Links ("liens", "mises en relation") between two practices, the edges of the implicit networks.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Invalid;

crate::api_enum! {
    /// Why two practices are linked.
    LinkKind, "type de lien inconnu" {
        InspiredBy => "inspired_by",
        Collaboration => "collaboration",
        SameTool => "same_tool",
        Visit => "visit",
        Training => "training",
        SameSite => "same_site",
    }
}

impl LinkKind {
    /// French label for the UI.
    pub fn label(self) -> &'static str {
        match self {
            Self::InspiredBy => "inspiré par",
            Self::Collaboration => "collaboration",
            Self::SameTool => "même outil",
            Self::Visit => "visite",
            Self::Training => "formation",
            Self::SameSite => "même Fab' École",
        }
    }
}

/// A link from one practice to another.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Link {
    pub id: i64,
    pub from_practice: i64,
    pub to_practice: i64,
    pub kind: LinkKind,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Account that recorded the link (it may remove it); never shown publicly.
    pub author_id: Option<i64>,
}

/// Longest note, in characters.
pub const NOTE_MAX: usize = 2_000;

impl Link {
    /// No self-link; bounded note.
    pub fn validate(&self) -> Result<(), Invalid> {
        if self.from_practice == self.to_practice {
            return Err(Invalid::new("to_practice", "un projet ne peut pas être lié à lui-même"));
        }
        if self.note.as_deref().is_some_and(|n| n.chars().count() > NOTE_MAX) {
            return Err(Invalid::new("note", format!("au plus {NOTE_MAX} caractères")));
        }
        Ok(())
    }

    /// The identity used to refuse duplicates: the unordered pair of practices and the kind.
    pub fn dedup_key(&self) -> (i64, i64, LinkKind) {
        let (a, b) = (
            self.from_practice.min(self.to_practice),
            self.from_practice.max(self.to_practice),
        );
        (a, b, self.kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(a: i64, b: i64) -> Link {
        let now = Utc::now();
        Link {
            id: 1,
            from_practice: a,
            to_practice: b,
            kind: LinkKind::SameTool,
            note: None,
            created_at: now,
            updated_at: now,
            author_id: None,
        }
    }

    #[test]
    fn self_links_are_refused() {
        assert_eq!(link(3, 3).validate().unwrap_err().field, "to_practice");
        assert!(link(3, 4).validate().is_ok());
    }

    #[test]
    fn the_pair_is_unordered_for_duplicates() {
        assert_eq!(link(3, 4).dedup_key(), link(4, 3).dedup_key());
    }
}
