//! Fab' École sites and other tiers-lieux éducatifs.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{Invalid, LonLat, Uai};

crate::api_enum! {
    /// Kind of site.
    SiteKind, "type de lieu inconnu" {
        FabEcole => "fab_ecole",
        TiersLieu => "tiers_lieu",
        Fablab => "fablab",
    }
}

crate::api_enum! {
    /// Whether a site is planned, open or closed.
    SiteStatus, "statut de lieu inconnu" {
        Planned => "planned",
        Open => "open",
        Closed => "closed",
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
