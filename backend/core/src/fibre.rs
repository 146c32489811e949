//! Fibre (FttH) coverage of the communes, from ARCEP's deployment observatory, and what it tells about
//! a school's line: "no fibre yet in the commune" is a matter for the operators and the collectivité's
//! network plan; "fibre there, school not connected" is a connection the school's owner can order.

use serde::Serialize;

use crate::Invalid;
use crate::establishments::{Technology, check_commune_code};

/// ARCEP's buckets of the share of premises that can be connected, by their lower bound in %:
/// 0 = none, 5 = ]0–10 %[, 10 = [10–25 %[, 25 = [25–50 %[, 50 = [50–80 %[, 80 = 80 % and more.
pub const CATEGORIES: [u8; 6] = [0, 5, 10, 25, 50, 80];

/// The fibre coverage of one commune at one quarter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommuneFibre {
    /// INSEE code.
    pub code: String,
    pub name: String,
    /// Premises (dwellings and business premises) counted in the commune; 0 when unknown.
    pub premises: u64,
    /// Premises that can be connected to fibre (« locaux raccordables »).
    pub connectable: u64,
    /// The quarter of the figures, `2018T1`.
    pub quarter: String,
}

impl CommuneFibre {
    /// Checks the code, the name and the quarter; `connectable` above `premises` is kept (the two
    /// counts come from different sources and ARCEP publishes rates above 100 %), the rate capped.
    pub fn new(code: &str, name: &str, premises: u64, connectable: u64, quarter: &str) -> Result<Self, Invalid> {
        let code = code.trim().to_ascii_uppercase();
        check_commune_code(&code)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(Invalid::new("nom_commune", "nom de commune manquant ou trop long"));
        }
        Ok(Self {
            code,
            name: name.to_string(),
            premises,
            connectable,
            quarter: parse_quarter(quarter)?,
        })
    }

    /// Share of the premises that can be connected, 0–1; `None` when the premises are unknown.
    pub fn rate(&self) -> Option<f64> {
        (self.premises > 0).then(|| (self.connectable as f64 / self.premises as f64).min(1.0))
    }

    /// ARCEP's bucket of the rate (see [`CATEGORIES`]); a commune with connectable premises but no
    /// count of premises is in the lowest non-zero bucket.
    pub fn category(&self) -> u8 {
        if self.connectable == 0 {
            return 0;
        }
        let pct = self.rate().map_or(0.0, |r| r * 100.0);
        CATEGORIES
            .iter()
            .rev()
            .copied()
            .find(|&c| c > 0 && pct >= f64::from(c))
            .unwrap_or(5)
    }

    /// Whether some premises of the commune can be connected to fibre.
    pub fn has_fibre(&self) -> bool {
        self.connectable > 0
    }
}

/// `2018T1`, `2018-T1`, `T1 2018` or `2018 T1` → `2018T1`.
pub fn parse_quarter(s: &str) -> Result<String, Invalid> {
    let compact: String = s
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase();
    let err = || Invalid::new("trimestre", format!("trimestre illisible « {s} » (attendu : 2018T1)"));
    let (year, q) = if let Some((y, q)) = compact.split_once('T') {
        if y.len() == 4 {
            (y.to_string(), q.to_string())
        } else {
            (
                q.get(1..).unwrap_or("").to_string(),
                q.get(..1).unwrap_or("").to_string(),
            )
        }
    } else {
        return Err(err());
    };
    let year: u16 = year.parse().map_err(|_| err())?;
    let q: u8 = q.parse().map_err(|_| err())?;
    if !(2000..=2100).contains(&year) || !(1..=4).contains(&q) {
        return Err(err());
    }
    Ok(format!("{year}T{q}"))
}

/// What the school's line, its eligibility and its commune's fibre say together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Diagnosis {
    /// The school's latest measured line is fibre.
    Connected,
    /// The school's latest eligibility value is fibre, its measured line is not (or was never measured):
    /// a connection it can order.
    EligibleNotConnected,
    /// Premises of the commune can be connected, the school's line is not fibre and its eligibility is
    /// not known to be fibre.
    FibreNotConnected,
    /// No premises of the commune can be connected yet.
    NoFibre,
    /// The commune's coverage was not imported.
    Unknown,
}

impl Diagnosis {
    /// From the technology of the school's latest measured line, of its latest eligibility value, and
    /// its commune's coverage.
    pub fn of(commune: Option<&CommuneFibre>, line: Option<Technology>, eligibility: Option<Technology>) -> Self {
        if line == Some(Technology::Ftth) {
            return Self::Connected;
        }
        if eligibility == Some(Technology::Ftth) {
            return Self::EligibleNotConnected;
        }
        match commune {
            None => Self::Unknown,
            Some(c) if c.has_fibre() => Self::FibreNotConnected,
            Some(_) => Self::NoFibre,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connected => "connected",
            Self::EligibleNotConnected => "eligible_not_connected",
            Self::FibreNotConnected => "fibre_not_connected",
            Self::NoFibre => "no_fibre",
            Self::Unknown => "unknown",
        }
    }

    /// The French label shown in the view and the CSV.
    pub fn label(self) -> &'static str {
        match self {
            Self::Connected => "établissement raccordé à la fibre",
            Self::EligibleNotConnected => "établissement éligible à la fibre, non raccordé",
            Self::FibreNotConnected => "fibre dans la commune, établissement non raccordé",
            Self::NoFibre => "pas encore de fibre dans la commune",
            Self::Unknown => "couverture de la commune inconnue",
        }
    }

    pub const ALL: [Self; 5] = [
        Self::EligibleNotConnected,
        Self::FibreNotConnected,
        Self::NoFibre,
        Self::Connected,
        Self::Unknown,
    ];
}

/// A commune's outline for the fibre choropleth: a GeoJSON Polygon or MultiPolygon in CRS84, simplified
/// when it was imported.
#[derive(Debug, Clone, PartialEq)]
pub struct CommuneOutline {
    pub code: String,
    pub name: String,
    pub departement: String,
    /// The GeoJSON geometry object, as text.
    pub geometry: String,
}

/// The département of an INSEE commune code: `06004` → `06`, `2A004` → `2A`, `97101` → `971`.
pub fn departement_of_commune(code: &str) -> &str {
    if code.starts_with("97") || code.starts_with("98") {
        code.get(..3).unwrap_or(code)
    } else {
        code.get(..2).unwrap_or(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commune(premises: u64, connectable: u64) -> CommuneFibre {
        CommuneFibre::new("06004", "Antibes", premises, connectable, "2018T1").unwrap()
    }

    #[test]
    fn categories_follow_arceps_buckets() {
        // Antibes, 2018 Q1: 24,966 of 64,393 premises (38.8 %) — ARCEP's category 25.
        assert_eq!(commune(64_393, 24_966).category(), 25);
        assert_eq!(commune(100, 0).category(), 0);
        assert_eq!(commune(1000, 1).category(), 5);
        assert_eq!(commune(100, 10).category(), 10);
        assert_eq!(commune(100, 50).category(), 50);
        assert_eq!(commune(100, 79).category(), 50);
        assert_eq!(commune(100, 80).category(), 80);
        assert_eq!(commune(100, 130).category(), 80);
        assert_eq!(commune(100, 130).rate(), Some(1.0));
        assert_eq!(commune(0, 12).rate(), None);
        assert_eq!(commune(0, 12).category(), 5);
    }

    #[test]
    fn quarters_are_read_in_the_usual_spellings_and_checked() {
        for s in ["2018T1", "2018-T1", "T1 2018", "2018 t1", "t1-2018"] {
            assert_eq!(parse_quarter(s).unwrap(), "2018T1", "{s}");
        }
        for s in ["2018", "2018T5", "T0 2018", "1899T1", "", "abc"] {
            assert!(parse_quarter(s).is_err(), "{s}");
        }
    }

    #[test]
    fn bad_codes_and_names_are_refused() {
        assert!(CommuneFibre::new("6004", "Antibes", 1, 1, "2018T1").is_err());
        assert!(CommuneFibre::new("06004", " ", 1, 1, "2018T1").is_err());
        assert_eq!(
            CommuneFibre::new("2a004", "Ajaccio", 1, 1, "2018T1").unwrap().code,
            "2A004"
        );
        assert_eq!(departement_of_commune("06004"), "06");
        assert_eq!(departement_of_commune("2A004"), "2A");
        assert_eq!(departement_of_commune("97101"), "971");
    }

    #[test]
    fn the_diagnosis_tells_a_missing_network_from_a_missing_connection() {
        let with = commune(100, 40);
        let without = commune(100, 0);
        use Technology::{Adsl, Cable, Ftth, Vdsl};
        assert_eq!(
            Diagnosis::of(Some(&with), Some(Adsl), None),
            Diagnosis::FibreNotConnected
        );
        assert_eq!(
            Diagnosis::of(Some(&with), Some(Cable), Some(Vdsl)),
            Diagnosis::FibreNotConnected
        );
        assert_eq!(Diagnosis::of(Some(&with), None, None), Diagnosis::FibreNotConnected);
        assert_eq!(Diagnosis::of(Some(&without), Some(Adsl), None), Diagnosis::NoFibre);
        assert_eq!(Diagnosis::of(Some(&without), Some(Ftth), None), Diagnosis::Connected);
        assert_eq!(Diagnosis::of(None, Some(Vdsl), None), Diagnosis::Unknown);
        // Eligible at its address: whatever the commune's file says, a connection to order.
        assert_eq!(
            Diagnosis::of(Some(&with), Some(Adsl), Some(Ftth)),
            Diagnosis::EligibleNotConnected
        );
        assert_eq!(Diagnosis::of(None, None, Some(Ftth)), Diagnosis::EligibleNotConnected);
        assert_eq!(
            Diagnosis::of(Some(&without), Some(Ftth), Some(Ftth)),
            Diagnosis::Connected
        );
    }
}
