//! Practices ("usages", "pratiques", "fiches"): what teachers report and the map shows.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{Invalid, LonLat, SchoolYear, Uai};

crate::api_enum! {
    /// Where a practice stands in the moderation workflow.
    PracticeStatus, "statut inconnu" {
        Draft => "draft",
        Submitted => "submitted",
        Published => "published",
        Rejected => "rejected",
        Archived => "archived",
    }
}

/// A facet value as written (a discipline, level, tool or theme). Shared: a million practices use a
/// few hundred distinct values, and [`facet`] keeps each of them once.
pub type Facet = Arc<str>;

/// The shared copy of the facet value `s`. Values are never forgotten: the vocabulary is small.
pub fn facet(s: &str) -> Facet {
    static VALUES: OnceLock<Mutex<HashSet<Facet>>> = OnceLock::new();
    let mut values = VALUES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if let Some(v) = values.get(s) {
        return v.clone();
    }
    let v: Facet = Arc::from(s);
    values.insert(v.clone());
    v
}

/// A practice's list of facet values (its disciplines, levels, tools or themes), as written, with their
/// folded text for searching. Shared: a million practices use a few thousand distinct lists, and
/// [`Facets::new`] keeps each of them once, so a practice holds four pointers instead of four vectors.
#[derive(Clone)]
pub struct Facets(Arc<FacetList>);

#[derive(Debug)]
struct FacetList {
    values: Box<[Facet]>,
    /// The values folded ([`crate::text::fold`]), separated by a space.
    folded: Box<str>,
}

/// The interning set's key: a list, compared and hashed by its values.
struct Interned(Arc<FacetList>);

impl PartialEq for Interned {
    fn eq(&self, other: &Self) -> bool {
        self.0.values == other.0.values
    }
}
impl Eq for Interned {}
impl std::hash::Hash for Interned {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.values.hash(state)
    }
}
impl std::borrow::Borrow<[Facet]> for Interned {
    fn borrow(&self) -> &[Facet] {
        &self.0.values
    }
}

impl Facets {
    /// The shared copy of the list `values`. Lists are never forgotten: they are few.
    pub fn new(values: Vec<Facet>) -> Self {
        static LISTS: OnceLock<Mutex<HashSet<Interned>>> = OnceLock::new();
        let mut lists = LISTS
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(list) = lists.get(values.as_slice()) {
            return Self(list.0.clone());
        }
        let list = Arc::new(FacetList {
            folded: crate::text::fold_joined(&values).into_boxed_str(),
            values: values.into_boxed_slice(),
        });
        lists.insert(Interned(list.clone()));
        Self(list)
    }

    /// The list of the values `values` (each interned with [`facet`]).
    pub fn of<S: AsRef<str>>(values: &[S]) -> Self {
        Self::new(values.iter().map(|v| facet(v.as_ref())).collect())
    }

    /// The values folded, separated by a space: what a text search reads.
    pub fn folded(&self) -> &str {
        &self.0.folded
    }
}

impl Default for Facets {
    fn default() -> Self {
        Self::new(Vec::new())
    }
}

impl std::ops::Deref for Facets {
    type Target = [Facet];
    fn deref(&self) -> &[Facet] {
        &self.0.values
    }
}

impl PartialEq for Facets {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0.values == other.0.values
    }
}

impl std::fmt::Debug for Facets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Facets {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.values.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Facets {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Self::new(Vec::<Facet>::deserialize(deserializer)?))
    }
}

/// A reported practice. Its texts are exactly sized (`Box<str>`, not `String`): the catalogue holds a
/// million of them.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Practice {
    pub id: i64,
    pub title: Box<str>,
    pub summary: Box<str>,
    pub description: Box<str>,
    pub disciplines: Facets,
    pub levels: Facets,
    pub tools: Facets,
    pub themes: Facets,
    pub school_year: SchoolYear,
    /// Establishment where the practice takes place.
    pub uai: Uai,
    /// Explicit position; when absent the establishment's position is used.
    pub position: Option<LonLat>,
    /// Link to the national Innovathèque fiche, if any.
    pub innovatheque_url: Option<Box<str>>,
    pub status: PracticeStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    /// Account that reported it (never shown publicly).
    pub author_id: Option<i64>,
    /// Why a moderator rejected it, shown to its author.
    pub rejection_reason: Option<Box<str>>,
}

/// Bounds on free-text fields, in characters.
pub const TITLE_MAX: usize = 200;
pub const SUMMARY_MAX: usize = 1_000;
pub const DESCRIPTION_MAX: usize = 20_000;

impl Practice {
    /// Checks what the types cannot: non-empty title and summary, bounded lengths, at least one
    /// discipline, level and tool, and an http(s) Innovathèque URL.
    pub fn validate(&self) -> Result<(), Invalid> {
        check_text("title", &self.title, 3, TITLE_MAX)?;
        check_text("summary", &self.summary, 1, SUMMARY_MAX)?;
        if self.description.chars().count() > DESCRIPTION_MAX {
            return Err(Invalid::new(
                "description",
                format!("au plus {DESCRIPTION_MAX} caractères"),
            ));
        }
        for (field, list) in [
            ("disciplines", &self.disciplines),
            ("levels", &self.levels),
            ("tools", &self.tools),
        ] {
            if list.iter().all(|s| s.trim().is_empty()) {
                return Err(Invalid::new(field, "au moins une valeur est requise"));
            }
        }
        if let Some(url) = &self.innovatheque_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return Err(Invalid::new(
                "innovatheque_url",
                "l'adresse doit commencer par https://",
            ));
        }
        Ok(())
    }

    /// Whether anonymous visitors may see it.
    pub fn is_public(&self) -> bool {
        self.status == PracticeStatus::Published
    }
}

/// What can happen to a report in the moderation workflow.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Action {
    /// The author sends a draft (or a rejected report, once edited) for review.
    Submit,
    /// A moderator publishes a submitted report.
    Publish,
    /// A moderator rejects a submitted report, with a reason.
    Reject,
    /// A published report is archived at the end of its life (by its author or a moderator).
    Archive,
    /// The report is "poursuivi": it goes on this school year (published, or published again if it was
    /// archived), by its author or a moderator.
    Continue,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Publish => "publish",
            Self::Reject => "reject",
            Self::Archive => "archive",
            Self::Continue => "continue",
        }
    }

    /// Whether only moderators may do it (the others are the author's, moderators may do them too).
    pub fn needs_moderator(self) -> bool {
        matches!(self, Self::Publish | Self::Reject)
    }
}

/// The status after `action`, or `None` when the transition is illegal (the API answers 409).
pub fn next_status(from: PracticeStatus, action: Action) -> Option<PracticeStatus> {
    use PracticeStatus::*;
    match (from, action) {
        (Draft | Rejected, Action::Submit) => Some(Submitted),
        (Submitted, Action::Publish) => Some(Published),
        (Submitted, Action::Reject) => Some(Rejected),
        (Published, Action::Archive) => Some(Archived),
        (Published | Archived, Action::Continue) => Some(Published),
        _ => None,
    }
}

/// Whether the author may still edit the report in place.
pub fn editable_by_author(status: PracticeStatus) -> bool {
    matches!(
        status,
        PracticeStatus::Draft | PracticeStatus::Submitted | PracticeStatus::Rejected
    )
}

fn check_text(field: &'static str, value: &str, min: usize, max: usize) -> Result<(), Invalid> {
    let n = value.trim().chars().count();
    if n < min {
        return Err(Invalid::new(field, format!("au moins {min} caractère(s)")));
    }
    if n > max {
        return Err(Invalid::new(field, format!("au plus {max} caractères")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_facet_value_is_kept_once() {
        let a = facet("Mathématiques");
        let b = facet(&String::from("Mathématiques"));
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(&*a, "Mathématiques");
        assert!(!Arc::ptr_eq(&a, &facet("Mathematiques")));
    }

    #[test]
    fn a_facet_list_is_kept_once_with_its_folded_text() {
        let a = Facets::of(&["Mathématiques", "Éducation aux médias"]);
        let b = Facets::new(vec![facet("Mathématiques"), facet("Éducation aux médias")]);
        assert!(Arc::ptr_eq(&a.0, &b.0));
        assert_eq!(a.folded(), "mathematiques education aux medias");
        assert_eq!(a.len(), 2);
        assert_ne!(a, Facets::of(&["Mathématiques"]));
        assert_eq!(Facets::default().folded(), "");
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(json, r#"["Mathématiques","Éducation aux médias"]"#);
        let back: Facets = serde_json::from_str(&json).unwrap();
        assert!(Arc::ptr_eq(&back.0, &a.0));
    }

    fn sample() -> Practice {
        Practice {
            id: 1,
            title: "Classe inversée en physique".into(),
            summary: "Capsules vidéo avant le cours".into(),
            disciplines: Facets::of(&["Physique-chimie"]),
            levels: Facets::of(&["Seconde"]),
            tools: Facets::of(&["Peertube"]),
            school_year: SchoolYear::parse("2025-2026").unwrap(),
            ..crate::fixtures::practice("0060842H")
        }
    }

    #[test]
    fn a_complete_practice_is_valid() {
        assert!(sample().validate().is_ok());
    }

    #[test]
    fn missing_minimal_fields_name_the_field() {
        let mut p = sample();
        p.tools = Facets::default();
        assert_eq!(p.validate().unwrap_err().field, "tools");
        let mut p = sample();
        p.title = "  ".into();
        assert_eq!(p.validate().unwrap_err().field, "title");
        let mut p = sample();
        p.innovatheque_url = Some("javascript:alert(1)".into());
        assert_eq!(p.validate().unwrap_err().field, "innovatheque_url");
    }

    #[test]
    fn workflow_allows_only_the_documented_transitions() {
        use PracticeStatus::*;
        let actions = [
            Action::Submit,
            Action::Publish,
            Action::Reject,
            Action::Archive,
            Action::Continue,
        ];
        let mut legal = Vec::new();
        for &from in PracticeStatus::ALL {
            for a in actions {
                if let Some(to) = next_status(from, a) {
                    legal.push((from, a, to));
                }
            }
        }
        assert_eq!(
            legal,
            vec![
                (Draft, Action::Submit, Submitted),
                (Submitted, Action::Publish, Published),
                (Submitted, Action::Reject, Rejected),
                (Published, Action::Archive, Archived),
                (Published, Action::Continue, Published),
                (Rejected, Action::Submit, Submitted),
                (Archived, Action::Continue, Published),
            ]
        );
        assert!(!Action::Submit.needs_moderator() && Action::Publish.needs_moderator());
        assert!(!Action::Continue.needs_moderator() && !Action::Archive.needs_moderator());
        assert!(editable_by_author(Rejected) && !editable_by_author(Published));
    }

    #[test]
    fn status_round_trips() {
        for &s in PracticeStatus::ALL {
            assert_eq!(PracticeStatus::parse("status", s.as_str()).unwrap(), s);
        }
        assert!(PracticeStatus::parse("status", "pending").is_err());
    }
}
