//! The OGC API `datetime` parameter: an instant, a date, or an interval `start/end` where either end may
//! be open (`..` or empty). All instants are UTC.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use crate::Invalid;

/// A closed time interval; `None` on a side means unbounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Interval {
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
}

impl Interval {
    /// Parses `2025-09-01T00:00:00Z`, `2025-09-01`, `2025-09-01/2026-08-31`, `../2026-01-01T00:00:00Z`,
    /// `2025-09-01/..`. A date alone covers the whole day. Start after end is an error.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let s = input.trim();
        let (start, end) = match s.split_once('/') {
            None => {
                let (a, b) = parse_point(s)?.ok_or_else(|| err(s))?;
                (Some(a), Some(b))
            }
            Some((a, b)) => {
                if b.contains('/') {
                    return Err(err(s));
                }
                (parse_point(a)?.map(|p| p.0), parse_point(b)?.map(|p| p.1))
            }
        };
        if start.is_none() && end.is_none() {
            return Err(Invalid::new("datetime", "l'intervalle doit avoir au moins une borne"));
        }
        if let (Some(a), Some(b)) = (start, end)
            && a > b
        {
            return Err(Invalid::new("datetime", "le début de l'intervalle est après sa fin"));
        }
        Ok(Self { start, end })
    }

    /// Whether `t` lies in the interval (bounds included).
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start.is_none_or(|s| t >= s) && self.end.is_none_or(|e| t <= e)
    }

    /// Whether the closed range `[a, b]` overlaps the interval.
    pub fn overlaps(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> bool {
        self.start.is_none_or(|s| b >= s) && self.end.is_none_or(|e| a <= e)
    }
}

fn err(s: &str) -> Invalid {
    Invalid::new(
        "datetime",
        format!("« {s} » n'est ni une date (2025-09-01), ni un instant RFC 3339, ni un intervalle début/fin"),
    )
}

/// The first and last instant a date or instant designates.
type Span = (DateTime<Utc>, DateTime<Utc>);

/// One side of an interval: `None` when open, else the span it designates.
fn parse_point(s: &str) -> Result<Option<Span>, Invalid> {
    let s = s.trim();
    if s.is_empty() || s == ".." {
        return Ok(None);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        let t = t.with_timezone(&Utc);
        return Ok(Some((t, t)));
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        let first = d.and_time(NaiveTime::MIN).and_utc();
        let last = d.and_hms_milli_opt(23, 59, 59, 999).ok_or_else(|| err(s))?.and_utc();
        return Ok(Some((first, last)));
    }
    Err(err(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn parses_the_ogc_forms() {
        let i = Interval::parse("2025-09-01/2026-08-31").unwrap();
        assert!(i.contains(t("2025-09-01T00:00:00Z")));
        assert!(i.contains(t("2026-08-31T23:59:59Z")));
        assert!(!i.contains(t("2026-09-01T00:00:00Z")));
        let open = Interval::parse("../2025-01-01T00:00:00Z").unwrap();
        assert!(open.contains(t("1999-01-01T00:00:00Z")));
        let open = Interval::parse("2025-01-01T00:00:00+01:00/").unwrap();
        assert!(open.contains(t("2024-12-31T23:30:00Z")));
        let day = Interval::parse("2025-03-04").unwrap();
        assert!(day.contains(t("2025-03-04T12:00:00Z")));
        assert!(!day.contains(t("2025-03-05T00:00:00Z")));
    }

    #[test]
    fn rejects_malformed_intervals() {
        for bad in [
            "",
            "../..",
            "/",
            "2025-13-01",
            "2026-01-01/2025-01-01",
            "hier",
            "2025-01-01/2025-02-01/2025-03-01",
        ] {
            let e = Interval::parse(bad).unwrap_err();
            assert_eq!(e.field, "datetime", "{bad}");
        }
    }
}
