//! Fab' École sites and other tiers-lieux éducatifs.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{Invalid, LonLat, Uai};

/// Kind of site.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteKind {
    FabEcole,
    TiersLieu,
    Fablab,
}

impl SiteKind {
    pub const ALL: [Self; 3] = [Self::FabEcole, Self::TiersLieu, Self::Fablab];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::FabEcole => "fab_ecole",
            Self::TiersLieu => "tiers_lieu",
            Self::Fablab => "fablab",
        }
    }

    pub fn parse(field: &'static str, s: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                Invalid::new(
                    field,
                    format!("type de lieu inconnu « {s} » (fab_ecole, tiers_lieu, fablab)"),
                )
            })
    }
}

/// Whether a site is planned, open or closed.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteStatus {
    Planned,
    Open,
    Closed,
}

impl SiteStatus {
    pub const ALL: [Self; 3] = [Self::Planned, Self::Open, Self::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }

    pub fn parse(field: &'static str, s: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                Invalid::new(
                    field,
                    format!("statut de lieu inconnu « {s} » (planned, open, closed)"),
                )
            })
    }
}

/// A Fab' École or tiers-lieu.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Site {
    pub id: i64,
    pub name: String,
    pub kind: SiteKind,
    /// Host establishment, if the site is inside one.
    pub uai: Option<Uai>,
    pub position: LonLat,
    pub opened_on: Option<NaiveDate>,
    pub status: SiteStatus,
    pub equipment: Vec<String>,
    pub partners: Vec<String>,
    pub description: String,
}

impl Site {
    pub fn validate(&self) -> Result<(), Invalid> {
        if self.name.trim().is_empty() {
            return Err(Invalid::new("name", "le nom du lieu est vide"));
        }
        Ok(())
    }
}
