//! The school year ("année scolaire"), written `2025-2026`; a year starts on 1 September.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Invalid;

/// A school year, identified by the calendar year it starts in (September).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct SchoolYear(u16);

impl SchoolYear {
    /// Earliest and latest start years accepted (a guard against typos such as `20025-2026`).
    pub const MIN_START: u16 = 1990;
    pub const MAX_START: u16 = 2100;

    /// Parses `2025-2026`; the second year must follow the first.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let s = input.trim();
        let err = || {
            Invalid::new(
                "school_year",
                format!("« {s} » n'est pas une année scolaire (ex. 2025-2026)"),
            )
        };
        let (a, b) = s.split_once('-').ok_or_else(err)?;
        if a.len() != 4 || b.len() != 4 {
            return Err(err());
        }
        let a: u16 = a.parse().map_err(|_| err())?;
        let b: u16 = b.parse().map_err(|_| err())?;
        if b != a + 1 {
            return Err(Invalid::new(
                "school_year",
                format!("« {s} » : la seconde année doit suivre la première"),
            ));
        }
        Self::starting(a)
    }

    /// The school year starting in September of `year`.
    pub fn starting(year: u16) -> Result<Self, Invalid> {
        if !(Self::MIN_START..=Self::MAX_START).contains(&year) {
            return Err(Invalid::new(
                "school_year",
                format!("année {year} hors de la plage acceptée"),
            ));
        }
        Ok(Self(year))
    }

    /// The school year a date falls in: from 1 September to 31 August.
    pub fn containing(date: NaiveDate) -> Self {
        let y = date.year() as u16;
        Self(if date.month() >= 9 { y } else { y - 1 })
    }

    /// Calendar year the school year starts in.
    pub fn start_year(self) -> u16 {
        self.0
    }

    /// 1 September of the start year.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0 as i32, 9, 1).expect("1 September exists")
    }

    /// 31 August of the following year.
    pub fn last_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0 as i32 + 1, 8, 31).expect("31 August exists")
    }
}

impl fmt::Display for SchoolYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.0, self.0 + 1)
    }
}

impl Serialize for SchoolYear {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SchoolYear {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        SchoolYear::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_displays() {
        let y = SchoolYear::parse("2025-2026").unwrap();
        assert_eq!(y.start_year(), 2025);
        assert_eq!(y.to_string(), "2025-2026");
    }

    #[test]
    fn rejects_non_consecutive_or_malformed() {
        for bad in [
            "2025-2027",
            "2025",
            "2025/2026",
            "25-26",
            "2026-2025",
            "abcd-efgh",
            "1800-1801",
            "2025-2026-2027",
        ] {
            assert!(SchoolYear::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn year_starts_on_first_september() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(SchoolYear::containing(d(2025, 8, 31)).to_string(), "2024-2025");
        assert_eq!(SchoolYear::containing(d(2025, 9, 1)).to_string(), "2025-2026");
        assert_eq!(SchoolYear::containing(d(2026, 1, 15)).to_string(), "2025-2026");
        let y = SchoolYear::parse("2025-2026").unwrap();
        assert_eq!(y.first_day(), d(2025, 9, 1));
        assert_eq!(y.last_day(), d(2026, 8, 31));
    }
}
