//! Establishments ("établissements"), keyed by UAI, with their bandwidth measurements ("débit").

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::opinee::Profile;
use crate::{Invalid, LonLat, Uai};

crate::api_enum! {
    /// What kind of establishment it is (API values in brackets).
    EstablishmentKind, "type d'établissement inconnu" {
        /// École maternelle, élémentaire or primaire.
        Ecole => "ecole",
        College => "college",
        /// Lycée général et/ou technologique.
        Lycee => "lycee",
        /// Lycée professionnel.
        Lp => "lp",
        /// Anything else: EREA, centre, etc.
        Other => "other",
    }
}

impl EstablishmentKind {
    /// French label for the UI.
    pub fn label(self) -> &'static str {
        match self {
            Self::Ecole => "École",
            Self::College => "Collège",
            Self::Lycee => "Lycée",
            Self::Lp => "Lycée professionnel",
            Self::Other => "Autre",
        }
    }

    /// Whether the establishment is "premier degré" (écoles) rather than "second degré".
    pub fn is_first_degree(self) -> bool {
        self == Self::Ecole
    }
}

crate::api_enum! {
    /// Public or private sector.
    Sector, "secteur inconnu" {
        Public => "public",
        Private => "private",
    }
}

crate::api_enum! {
    /// Access technology of a bandwidth measurement.
    Technology, "technologie inconnue" {
        Adsl => "adsl",
        Vdsl => "vdsl",
        Ftth => "ftth",
        Cable => "cable",
        ThdRadio => "thd_radio",
        Satellite => "satellite",
        Mobile => "mobile",
        Other => "other",
    }
}

crate::api_enum! {
    /// Whether a bandwidth value is what the line could carry (`potential`, e.g. eligibility) or what was
    /// measured on site (`measured`).
    BandwidthSource, "source de débit inconnue" {
        Potential => "potential",
        Measured => "measured",
    }
}

/// One bandwidth value for an establishment, in Mbit/s.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Bandwidth {
    /// Download rate, Mbit/s.
    pub down_mbps: f64,
    /// Upload rate, Mbit/s.
    pub up_mbps: f64,
    pub technology: Technology,
    pub source: BandwidthSource,
    /// Day the value was measured or published.
    pub date: NaiveDate,
}

impl Bandwidth {
    /// Validates rates (finite, ≥ 0, at most 100 Gbit/s).
    pub fn new(
        down_mbps: f64,
        up_mbps: f64,
        technology: Technology,
        source: BandwidthSource,
        date: NaiveDate,
    ) -> Result<Self, Invalid> {
        for (field, v) in [("down_mbps", down_mbps), ("up_mbps", up_mbps)] {
            if !v.is_finite() || !(0.0..=100_000.0).contains(&v) {
                return Err(Invalid::new(field, format!("débit {v} hors de [0, 100000] Mbit/s")));
            }
        }
        Ok(Self {
            down_mbps,
            up_mbps,
            technology,
            source,
            date,
        })
    }
}

/// An establishment, as the Annuaire de l'éducation describes it, plus what Repère knows of it.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Establishment {
    pub uai: Uai,
    pub name: String,
    pub kind: EstablishmentKind,
    pub sector: Sector,
    /// INSEE code of the commune (5 characters, e.g. `06004` for Antibes).
    pub commune_code: String,
    pub commune_name: String,
    /// Département code, e.g. `06`, `83`, `2A`, `971`.
    pub departement: String,
    /// Position, when the official file gives one (or the commune's, see `placed_at_commune`).
    pub position: Option<LonLat>,
    /// Whether `position` is only the commune's: the official file gave none and the importer was asked
    /// to place the establishment at its commune.
    #[serde(default)]
    pub placed_at_commune: bool,
    /// Bandwidth history, oldest first; the last one is the current value.
    pub bandwidth: Vec<Bandwidth>,
    /// OPINEE levels and labels by school year, oldest first.
    #[serde(skip)]
    pub profiles: Vec<Profile>,
}

impl Establishment {
    /// The current bandwidth value: the most recent one.
    pub fn current_bandwidth(&self) -> Option<&Bandwidth> {
        self.bandwidth.iter().max_by_key(|b| b.date)
    }

    /// Checks the fields the type cannot enforce by itself.
    pub fn validate(&self) -> Result<(), Invalid> {
        if self.name.trim().is_empty() {
            return Err(Invalid::new("name", "le nom de l'établissement est vide"));
        }
        check_commune_code(&self.commune_code)?;
        normalise_departement(&self.departement)?;
        Ok(())
    }
}

/// An EPCI (établissement public de coopération intercommunale): the grouping of communes a commune
/// belongs to, from the official list.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Epci {
    /// SIREN of the EPCI (9 digits).
    pub code: String,
    pub name: String,
}

impl Epci {
    /// Validates the SIREN (9 digits) and the name.
    pub fn new(code: &str, name: &str) -> Result<Self, Invalid> {
        let code = code.trim();
        if code.len() != 9 || !code.chars().all(|c| c.is_ascii_digit()) {
            return Err(Invalid::new(
                "code",
                format!("SIREN d'EPCI invalide « {code} » (9 chiffres)"),
            ));
        }
        if name.trim().is_empty() {
            return Err(Invalid::new("nom", "nom d'EPCI vide"));
        }
        Ok(Self {
            code: code.to_string(),
            name: name.trim().to_string(),
        })
    }
}

/// Validates an INSEE commune code: five characters, digits except `2A`/`2B` for Corsica.
pub fn check_commune_code(code: &str) -> Result<(), Invalid> {
    let ok = code.len() == 5
        && (code.chars().all(|c| c.is_ascii_digit())
            || ((code.starts_with("2A") || code.starts_with("2B")) && code[2..].chars().all(|c| c.is_ascii_digit())));
    if ok {
        Ok(())
    } else {
        Err(Invalid::new(
            "commune_code",
            format!("code commune INSEE invalide « {code} »"),
        ))
    }
}

/// The name of a département of the académie by its code ("06" → "Alpes-Maritimes"), else
/// "Département <code>".
pub fn departement_name(code: &str) -> String {
    match code {
        "06" => "Alpes-Maritimes".into(),
        "83" => "Var".into(),
        other => format!("Département {other}"),
    }
}

/// Normalises a département code: `006` → `06`, `6` → `06`, `083` → `83`, `02A` → `2A`, `971` and
/// `988` stay.
pub fn normalise_departement(code: &str) -> Result<String, Invalid> {
    let c = code.trim().to_ascii_uppercase();
    let err = || Invalid::new("departement", format!("code département invalide « {code} »"));
    let c = if c.len() == 3 && c.starts_with('0') {
        c[1..].to_string()
    } else {
        c
    };
    let c = if c.len() == 1 && c.chars().all(|ch| ch.is_ascii_digit()) {
        format!("0{c}")
    } else {
        c
    };
    match c.len() {
        2 if c.chars().all(|ch| ch.is_ascii_digit()) && c != "00" && c != "20" => Ok(c),
        2 if c == "2A" || c == "2B" => Ok(c),
        // Overseas: départements 971–976 and collectivités 975–988.
        3 if (c.starts_with("97") || c.starts_with("98")) && c.chars().all(|ch| ch.is_ascii_digit()) => Ok(c),
        _ => Err(err()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn departement_codes_are_normalised() {
        assert_eq!(normalise_departement("006").unwrap(), "06");
        assert_eq!(normalise_departement("6").unwrap(), "06");
        assert_eq!(normalise_departement("83").unwrap(), "83");
        assert_eq!(normalise_departement("02A").unwrap(), "2A");
        assert_eq!(normalise_departement("971").unwrap(), "971");
        assert_eq!(normalise_departement("988").unwrap(), "988");
        for bad in ["", "0", "00", "ABC", "1234", "9X", "999"] {
            assert!(normalise_departement(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn current_bandwidth_is_the_latest() {
        let d = |m| NaiveDate::from_ymd_opt(2025, m, 1).unwrap();
        let e = Establishment {
            position: None,
            bandwidth: vec![
                Bandwidth::new(8.0, 1.0, Technology::Adsl, BandwidthSource::Measured, d(3)).unwrap(),
                Bandwidth::new(500.0, 200.0, Technology::Ftth, BandwidthSource::Measured, d(9)).unwrap(),
                Bandwidth::new(20.0, 1.0, Technology::Vdsl, BandwidthSource::Potential, d(5)).unwrap(),
            ],
            ..crate::fixtures::establishment("0060842H")
        };
        assert_eq!(e.current_bandwidth().unwrap().down_mbps, 500.0);
        assert!(e.validate().is_ok());
    }

    #[test]
    fn bandwidth_rejects_negative_or_nan() {
        let d = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        assert!(Bandwidth::new(-1.0, 1.0, Technology::Adsl, BandwidthSource::Measured, d).is_err());
        assert!(Bandwidth::new(1.0, f64::NAN, Technology::Adsl, BandwidthSource::Measured, d).is_err());
    }
}
