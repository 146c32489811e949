//! The CARDIE's target: published reports of a school year against a target (30 by default), the
//! projection to the end of the year, and counts by any key. Pure functions over plain values.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::SchoolYear;
use crate::establishments::EstablishmentKind;

/// The target of published reports per school year unless configured otherwise.
pub const DEFAULT_TARGET: u32 = 30;

/// "Premier degré" (écoles) or "second degré" (collèges, lycées).
pub fn degree(kind: EstablishmentKind) -> (&'static str, &'static str) {
    match kind {
        EstablishmentKind::Ecole => ("premier", "Premier degré"),
        EstablishmentKind::Other => ("autre", "Autre"),
        _ => ("second", "Second degré"),
    }
}

/// Where a year stands on `today`: the count so far and, while the year runs, the count expected at
/// its end if reports keep coming at the same pace (a finished year's projection is its count; a
/// year not started yet projects nothing).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Projection {
    pub published: u32,
    pub expected_at_year_end: f64,
    /// Fraction of the school year elapsed on `today` (0 to 1).
    pub elapsed: f64,
}

pub fn project(year: SchoolYear, published: u32, today: NaiveDate) -> Projection {
    let (first, last) = (year.first_day(), year.last_day());
    let total = (last - first).num_days() + 1;
    let elapsed_days = ((today - first).num_days() + 1).clamp(0, total);
    let elapsed = elapsed_days as f64 / total as f64;
    let expected_at_year_end = if elapsed_days == 0 {
        f64::from(published)
    } else {
        f64::from(published) / elapsed
    };
    Projection {
        published,
        expected_at_year_end,
        elapsed,
    }
}

/// Counts by key, largest first (ties by key), with a label per key.
pub fn breakdown(items: impl IntoIterator<Item = (String, String)>) -> Vec<(String, String, u32)> {
    let mut counts: BTreeMap<String, (String, u32)> = BTreeMap::new();
    for (key, label) in items {
        counts.entry(key).or_insert((label, 0)).1 += 1;
    }
    let mut out: Vec<(String, String, u32)> = counts.into_iter().map(|(k, (l, n))| (k, l, n)).collect();
    out.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn projection_follows_the_pace_of_the_year() {
        let y = SchoolYear::parse("2025-2026").unwrap();
        // A finished year projects its own count.
        let done = project(y, 27, d("2026-11-29"));
        assert_eq!((done.elapsed, done.expected_at_year_end), (1.0, 27.0));
        // Halfway through (Sept 1 to Aug 31 is 365 days), 15 reports project 30.
        let half = project(y, 15, d("2026-03-02"));
        assert!((half.elapsed - 183.0 / 365.0).abs() < 1e-9);
        assert!((half.expected_at_year_end - 15.0 * 365.0 / 183.0).abs() < 1e-9);
        // Not started: nothing elapsed, nothing projected beyond the count.
        let before = project(SchoolYear::parse("2027-2028").unwrap(), 0, d("2026-11-29"));
        assert_eq!((before.elapsed, before.expected_at_year_end), (0.0, 0.0));
    }

    #[test]
    fn breakdowns_count_and_order() {
        let b = breakdown([
            ("83".to_string(), "Var".to_string()),
            ("06".to_string(), "Alpes-Maritimes".to_string()),
            ("83".to_string(), "Var".to_string()),
            ("04".to_string(), "Alpes-de-Haute-Provence".to_string()),
        ]);
        assert_eq!(b[0], ("83".into(), "Var".into(), 2));
        assert_eq!(b[1].0, "04");
        assert_eq!(b[2].0, "06");
        assert_eq!(degree(EstablishmentKind::Ecole).0, "premier");
        assert_eq!(degree(EstablishmentKind::Lp).0, "second");
    }
}
