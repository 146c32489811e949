//! Test data: one builder per domain type, shared by the tests of every crate (the `fixtures`
//! feature, enabled in their dev-dependencies). Each gives a valid record with plain values; a test
//! sets what it is about with struct update syntax (`Practice { title: …, ..practice("0060842H") }`).

use chrono::Utc;

use crate::establishments::{Establishment, EstablishmentKind, Sector};
use crate::practices::{Facets, Practice, PracticeStatus};
use crate::{LonLat, SchoolYear, Uai};

/// A public collège of Antibes (06) with a position, no bandwidth and no OPINEE profile.
pub fn establishment(uai: &str) -> Establishment {
    Establishment {
        uai: Uai::parse(uai).expect("a valid UAI"),
        name: format!("Collège {uai}"),
        kind: EstablishmentKind::College,
        sector: Sector::Public,
        commune_code: "06004".into(),
        commune_name: "Antibes".into(),
        departement: "06".into(),
        position: Some(LonLat::new(7.1, 43.58).expect("a valid position")),
        placed_at_commune: false,
        profiles: Vec::new(),
        bandwidth: Vec::new(),
    }
}

/// A practice published now at the establishment `uai` (at its position), of the school year under
/// way, in Technologie for 5e with Tinkercad, without author.
pub fn practice(uai: &str) -> Practice {
    let now = Utc::now();
    Practice {
        id: 0,
        title: "Impression 3D en technologie".into(),
        summary: "Résumé".into(),
        description: "".into(),
        disciplines: Facets::of(&["Technologie"]),
        levels: Facets::of(&["5e"]),
        tools: Facets::of(&["Tinkercad"]),
        themes: Facets::default(),
        school_year: SchoolYear::containing(now.date_naive()),
        uai: Uai::parse(uai).expect("a valid UAI"),
        position: None,
        innovatheque_url: None,
        status: PracticeStatus::Published,
        created_at: now,
        updated_at: now,
        published_at: Some(now),
        author_id: None,
        rejection_reason: None,
    }
}
