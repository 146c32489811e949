//! La lettre des usages (roadmap action 1-1): editions written by the inspectors of a discipline (and
//! the IAN as co-editors), sent to the discipline's subscribers. Pure rules: who edits which
//! discipline, what an edition must hold to be published, the rhythm of a discipline and the rule of
//! "at least two editions per school year covering every level".

use chrono::{Days, NaiveDate};

use crate::Invalid;
use crate::text::fold;
use crate::users::Role;

crate::api_enum! {
    /// Where an edition stands. A published edition is frozen (corrections are errata).
    EditionStatus, "statut d'édition inconnu" {
        Draft => "brouillon",
        Scheduled => "programmee",
        Published => "publiee",
    }
}

impl EditionStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "Brouillon",
            Self::Scheduled => "Programmée",
            Self::Published => "Publiée",
        }
    }
}

crate::api_enum! {
    /// How often a discipline's editors mean to publish.
    Rhythm, "rythme inconnu" {
        Monthly => "mensuel",
        Bimonthly => "bimestriel",
        Quarterly => "trimestriel",
        Half => "semestriel",
    }
}

impl Rhythm {
    pub fn label(self) -> &'static str {
        match self {
            Self::Monthly => "Chaque mois",
            Self::Bimonthly => "Tous les deux mois",
            Self::Quarterly => "Chaque trimestre",
            Self::Half => "Chaque semestre",
        }
    }

    /// Days between two editions.
    pub fn days(self) -> u64 {
        match self {
            Self::Monthly => 30,
            Self::Bimonthly => 61,
            Self::Quarterly => 91,
            Self::Half => 182,
        }
    }

    /// When the next edition is due: the rhythm after the last one, or `today` when there was none.
    pub fn next_due(self, last: Option<NaiveDate>, today: NaiveDate) -> NaiveDate {
        match last {
            Some(d) => d + Days::new(self.days()),
            None => today,
        }
    }
}

/// Editions a discipline must publish per school year.
pub const EDITIONS_PER_YEAR: usize = 2;
/// Limits.
pub const TITLE_MAX: usize = 200;
pub const MESSAGE_MAX: usize = 20_000;
pub const ITEMS_MAX: usize = 30;
pub const COMMENT_MAX: usize = 1_000;

/// Whether a person of `role`, bound to `disciplines`, may write the editions of `discipline`:
/// moderators and admins every discipline; inspecteurs and referents (the IAN, co-editors) theirs.
pub fn may_edit(role: Role, disciplines: &[String], discipline: &str) -> bool {
    match role {
        Role::Moderator | Role::Admin => true,
        Role::Inspecteur | Role::Referent => {
            let d = fold(discipline);
            disciplines.iter().any(|x| fold(x) == d)
        }
        _ => false,
    }
}

/// Whether `role` may write editions at all (given disciplines).
pub fn edits_something(role: Role, disciplines: &[String]) -> bool {
    matches!(role, Role::Moderator | Role::Admin)
        || (matches!(role, Role::Inspecteur | Role::Referent) && !disciplines.is_empty())
}

/// A discipline's year: how many editions, which of the target levels no edition covered, and whether
/// it is behind the rule (fewer than two editions, or a level left out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    pub editions: usize,
    pub missing_levels: Vec<String>,
    pub behind: bool,
}

/// The coverage of a school year whose published editions covered `covered` (one list per edition).
pub fn coverage(target_levels: &[String], covered: &[Vec<String>]) -> Coverage {
    let all: Vec<String> = covered.iter().flatten().map(|l| fold(l)).collect();
    let missing_levels: Vec<String> = target_levels
        .iter()
        .filter(|l| !all.contains(&fold(l)))
        .cloned()
        .collect();
    Coverage {
        editions: covered.len(),
        behind: covered.len() < EDITIONS_PER_YEAR || !missing_levels.is_empty(),
        missing_levels,
    }
}

/// What an edition must hold to be published: a title, the inspector's message, levels and at least
/// one practice.
pub fn publishable(title: &str, message: &str, levels: &[String], items: usize) -> Result<(), Invalid> {
    if title.trim().is_empty() {
        return Err(Invalid::new("title", "une édition publiée a un titre"));
    }
    if message.trim().is_empty() {
        return Err(Invalid::new(
            "message",
            "une édition est accompagnée du message de l'inspecteur",
        ));
    }
    if levels.is_empty() {
        return Err(Invalid::new("levels", "indiquez les niveaux que couvre l'édition"));
    }
    if items == 0 {
        return Err(Invalid::new("items", "une édition présente au moins un usage publié"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn inspectors_edit_their_disciplines_only() {
        let mine = s(&["Technologie"]);
        assert!(may_edit(Role::Inspecteur, &mine, "technologie"));
        assert!(!may_edit(Role::Inspecteur, &mine, "Mathématiques"));
        assert!(may_edit(Role::Referent, &mine, "Technologie"));
        assert!(may_edit(Role::Moderator, &[], "Mathématiques"));
        assert!(!may_edit(Role::Contributor, &mine, "Technologie"));
        assert!(!may_edit(Role::Encadrement, &mine, "Technologie"));
    }

    #[test]
    fn two_editions_covering_every_level() {
        let levels = s(&["6e", "5e", "4e", "3e"]);
        let one = coverage(&levels, &[s(&["6e", "5e", "4e", "3e"])]);
        assert!(one.behind && one.missing_levels.is_empty());
        let two = coverage(&levels, &[s(&["6e", "5e"]), s(&["4e"])]);
        assert_eq!(two.missing_levels, s(&["3e"]));
        assert!(two.behind);
        assert!(!coverage(&levels, &[s(&["6e", "5e"]), s(&["4e", "3e"])]).behind);
    }

    #[test]
    fn rhythm_and_publishability() {
        let d = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
        assert_eq!(
            Rhythm::Quarterly.next_due(Some(d), d),
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
        );
        assert_eq!(Rhythm::Monthly.next_due(None, d), d);
        assert_eq!(publishable("T", "M", &s(&["6e"]), 0).unwrap_err().field, "items");
        assert_eq!(publishable("T", " ", &s(&["6e"]), 1).unwrap_err().field, "message");
        assert!(publishable("T", "M", &s(&["6e"]), 1).is_ok());
    }
}
