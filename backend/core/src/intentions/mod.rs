//! Suivi des intentions (roadmap action 3-4): people who lead digital projects signal an intention to
//! the DANE; each intention becomes a dossier whose steps have due dates in working days, computed from
//! a procedure the admins configure. Pure rules here; storage and mail live in the store and server.

pub mod access;
pub mod calendar;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Invalid;
use calendar::WorkingCalendar;

crate::api_enum! {
    /// What the intention is about.
    Kind, "type d'intention inconnu" {
        Equipment => "equipement",
        Training => "formation",
        Project => "projet_pedagogique",
        Services => "ent_services",
        Connection => "connexion",
        Other => "autre",
    }
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Equipment => "Équipement",
            Self::Training => "Formation",
            Self::Project => "Projet pédagogique",
            Self::Services => "ENT et services",
            Self::Connection => "Connexion / très haut débit",
            Self::Other => "Autre",
        }
    }
}

crate::api_enum! {
    /// Where a dossier stands.
    Status, "statut de dossier inconnu" {
        Filed => "deposee",
        Acknowledged => "prise_en_compte",
        Analysis => "en_analyse",
        Answered => "reponse_donnee",
        Closed => "close",
    }
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Self::Filed => "Déposée",
            Self::Acknowledged => "Prise en compte",
            Self::Analysis => "En analyse",
            Self::Answered => "Réponse donnée",
            Self::Closed => "Close",
        }
    }
}

crate::api_enum! {
    /// How a closed dossier ended.
    Outcome, "issue inconnue" {
        Realised => "realisee",
        Abandoned => "abandonnee",
        Redirected => "reorientee",
    }
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Self::Realised => "Réalisée",
            Self::Abandoned => "Abandonnée",
            Self::Redirected => "Réorientée",
        }
    }
}

crate::api_enum! {
    /// The steps of the procedure, always in this order.
    StepKind, "étape inconnue" {
        Acknowledgement => "accuse_reception",
        Analysis => "analyse",
        Answer => "reponse",
        Closure => "cloture",
    }
}

impl StepKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Acknowledgement => "Accusé de réception",
            Self::Analysis => "Analyse par un référent",
            Self::Answer => "Réponse",
            Self::Closure => "Clôture",
        }
    }

    /// The dossier's status once this step is completed.
    pub fn status_after(self) -> Status {
        match self {
            Self::Acknowledgement => Status::Acknowledged,
            Self::Analysis => Status::Analysis,
            Self::Answer => Status::Answered,
            Self::Closure => Status::Closed,
        }
    }
}

crate::api_enum! {
    /// The territory an intention is about when it is not (only) about establishments.
    TerritoryKind, "type de territoire inconnu" {
        Commune => "commune",
        Circonscription => "circonscription",
        Departement => "departement",
    }
}

/// The procedure: the working days allowed for each step, counted from the day the intention was
/// filed (`None`: no deadline), and the periods that do not count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Procedure {
    pub acknowledgement_days: u32,
    pub analysis_days: u32,
    pub answer_days: u32,
    #[serde(default)]
    pub closure_days: Option<u32>,
    /// Reminder to the referent this many working days before a step is due.
    pub remind_before_days: u32,
    /// Whether `school_holidays` are excluded from the working days.
    #[serde(default)]
    pub exclude_school_holidays: bool,
    /// Inclusive periods (zone B school holidays), `YYYY-MM-DD`.
    #[serde(default)]
    pub school_holidays: Vec<(NaiveDate, NaiveDate)>,
    /// Address of the DANE lead told of late steps (none: every active admin).
    #[serde(default)]
    pub lead_email: Option<String>,
}

impl Default for Procedure {
    fn default() -> Self {
        Self {
            acknowledgement_days: 2,
            analysis_days: 10,
            answer_days: 30,
            closure_days: None,
            remind_before_days: 2,
            exclude_school_holidays: false,
            school_holidays: Vec::new(),
            lead_email: None,
        }
    }
}

/// A step as planned when the dossier is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedStep {
    pub kind: StepKind,
    pub due_on: Option<NaiveDate>,
}

impl Procedure {
    /// The working calendar of this procedure.
    pub fn calendar(&self) -> WorkingCalendar {
        WorkingCalendar {
            excluded: if self.exclude_school_holidays {
                self.school_holidays.clone()
            } else {
                Vec::new()
            },
        }
    }

    /// The steps of a dossier filed on `filed_on`, with their due dates.
    pub fn plan(&self, filed_on: NaiveDate) -> Vec<PlannedStep> {
        let c = self.calendar();
        let due = |days: Option<u32>| days.map(|n| c.add_working_days(filed_on, n));
        vec![
            PlannedStep {
                kind: StepKind::Acknowledgement,
                due_on: due(Some(self.acknowledgement_days)),
            },
            PlannedStep {
                kind: StepKind::Analysis,
                due_on: due(Some(self.analysis_days)),
            },
            PlannedStep {
                kind: StepKind::Answer,
                due_on: due(Some(self.answer_days)),
            },
            PlannedStep {
                kind: StepKind::Closure,
                due_on: due(self.closure_days),
            },
        ]
    }

    /// Checks what an admin configured.
    pub fn validate(&self) -> Result<(), Invalid> {
        let days = [self.acknowledgement_days, self.analysis_days, self.answer_days];
        if days.iter().chain(self.closure_days.iter()).any(|d| *d == 0 || *d > 250) {
            return Err(Invalid::new(
                "answer_days",
                "chaque délai compte de 1 à 250 jours ouvrés",
            ));
        }
        if !(self.acknowledgement_days <= self.analysis_days && self.analysis_days <= self.answer_days)
            || self.closure_days.is_some_and(|c| c < self.answer_days)
        {
            return Err(Invalid::new(
                "analysis_days",
                "les délais se suivent : accusé de réception ≤ analyse ≤ réponse ≤ clôture",
            ));
        }
        if self.remind_before_days > 20 {
            return Err(Invalid::new(
                "remind_before_days",
                "rappel de 0 à 20 jours ouvrés avant l'échéance",
            ));
        }
        if let Some((from, to)) = self.school_holidays.iter().find(|(f, t)| f > t) {
            return Err(Invalid::new(
                "school_holidays",
                format!(
                    "la période du {} au {} finit avant de commencer",
                    from.format("%d/%m/%Y"),
                    to.format("%d/%m/%Y")
                ),
            ));
        }
        Ok(())
    }
}

/// Limits of an intention's text fields (characters).
pub const TITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 5000;
pub const PEOPLE_MAX: usize = 1000;
pub const ANSWER_MAX: usize = 5000;
/// Establishments one intention may name.
pub const UAIS_MAX: usize = 50;

/// Checks a required text field: trimmed, non-empty, at most `max` characters.
pub fn text(field: &'static str, value: &str, max: usize) -> Result<String, Invalid> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Invalid::new(field, "champ obligatoire"));
    }
    if v.chars().count() > max {
        return Err(Invalid::new(field, format!("{max} caractères au plus")));
    }
    Ok(v.to_string())
}

/// The dossier's number as people quote it: `INT-2026-0042`.
pub fn number(filed_year: i32, id: i64) -> String {
    format!("INT-{filed_year}-{id:04}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_default_procedure_plans_in_working_days() {
        // Filed Thursday 2 April 2026: Easter Monday 6 April, 1 and 8 May, Ascension 14 May are skipped.
        let plan = Procedure::default().plan(d(2026, 4, 2));
        let due: Vec<_> = plan.iter().map(|s| s.due_on).collect();
        assert_eq!(
            due,
            vec![Some(d(2026, 4, 7)), Some(d(2026, 4, 17)), Some(d(2026, 5, 20)), None]
        );
    }

    #[test]
    fn a_bad_procedure_names_its_field() {
        let mut p = Procedure {
            analysis_days: 1,
            ..Procedure::default()
        };
        assert_eq!(p.validate().unwrap_err().field, "analysis_days");
        p.analysis_days = 0;
        assert_eq!(p.validate().unwrap_err().field, "answer_days");
        assert!(Procedure::default().validate().is_ok());
    }

    #[test]
    fn texts_are_trimmed_and_bounded() {
        assert_eq!(text("title", "  Tablettes  ", 20).unwrap(), "Tablettes");
        assert_eq!(text("title", "   ", 20).unwrap_err().field, "title");
        assert!(text("title", &"é".repeat(21), 20).is_err());
        assert_eq!(number(2026, 42), "INT-2026-0042");
    }
}
