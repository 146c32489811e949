//! Working days of the DANE: Monday to Friday, French public holidays excluded (the fixed ones and
//! those that follow Easter: Easter Monday, Ascension, Whit Monday), and optionally periods the admins
//! list (the school holidays of zone B).

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// Easter Sunday of `year` (Gregorian calendar; the anonymous "Meeus/Jones/Butcher" computus).
pub fn easter(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).expect("the computus gives a date in March or April")
}

/// The eleven public holidays of metropolitan France in `year`, in date order.
pub fn public_holidays(year: i32) -> Vec<NaiveDate> {
    let d = |m, day| NaiveDate::from_ymd_opt(year, m, day).expect("fixed holiday");
    let e = easter(year);
    let mut v = vec![
        d(1, 1),
        e + Days::new(1),
        d(5, 1),
        d(5, 8),
        e + Days::new(39),
        e + Days::new(50),
        d(7, 14),
        d(8, 15),
        d(11, 1),
        d(11, 11),
        d(12, 25),
    ];
    v.sort();
    v
}

/// Whether `day` is a French public holiday.
pub fn is_public_holiday(day: NaiveDate) -> bool {
    public_holidays(day.year()).contains(&day)
}

/// The days that count: weekdays that are neither public holidays nor within an excluded period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkingCalendar {
    /// Inclusive periods that do not count (school holidays), as the admins configured them.
    pub excluded: Vec<(NaiveDate, NaiveDate)>,
}

impl WorkingCalendar {
    pub fn is_working(&self, day: NaiveDate) -> bool {
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
            && !is_public_holiday(day)
            && !self.excluded.iter().any(|(from, to)| *from <= day && day <= *to)
    }

    /// The `n`-th working day after `start` (`start` itself does not count: filed on a Friday, 2 working
    /// days later is the Tuesday). `n` = 0 gives `start`.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut day = start;
        let mut left = n;
        while left > 0 {
            day = day + Days::new(1);
            if self.is_working(day) {
                left -= 1;
            }
        }
        day
    }

    /// Working days after `from` up to and including `to` (0 when `to` is not after `from`).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let mut n = 0;
        let mut day = from;
        while day < to {
            day = day + Days::new(1);
            if self.is_working(day) {
                n += 1;
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn easter_sundays_match_the_almanac() {
        // Known Easter Sundays.
        assert_eq!(easter(2024), d(2024, 3, 31));
        assert_eq!(easter(2025), d(2025, 4, 20));
        assert_eq!(easter(2026), d(2026, 4, 5));
        assert_eq!(easter(2027), d(2027, 3, 28));
        assert_eq!(easter(2038), d(2038, 4, 25));
        assert_eq!(easter(2285), d(2285, 3, 22));
    }

    #[test]
    fn holidays_of_2026_by_hand() {
        assert_eq!(
            public_holidays(2026),
            vec![
                d(2026, 1, 1),
                d(2026, 4, 6), // lundi de Pâques
                d(2026, 5, 1),
                d(2026, 5, 8),
                d(2026, 5, 14), // Ascension
                d(2026, 5, 25), // lundi de Pentecôte
                d(2026, 7, 14),
                d(2026, 8, 15),
                d(2026, 11, 1),
                d(2026, 11, 11),
                d(2026, 12, 25),
            ]
        );
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        let c = WorkingCalendar::default();
        // Friday 3 April 2026 + 2: Mon 6 is Easter Monday → Tue 7, Wed 8.
        assert_eq!(c.add_working_days(d(2026, 4, 3), 2), d(2026, 4, 8));
        // Thursday 30 April + 1: Fri 1 May is a holiday, weekend → Mon 4 May.
        assert_eq!(c.add_working_days(d(2026, 4, 30), 1), d(2026, 5, 4));
        // Wed 13 May + 1: Thu 14 Ascension → Fri 15.
        assert_eq!(c.add_working_days(d(2026, 5, 13), 1), d(2026, 5, 15));
        assert_eq!(c.add_working_days(d(2026, 5, 13), 0), d(2026, 5, 13));
        assert_eq!(c.working_days_between(d(2026, 4, 3), d(2026, 4, 8)), 2);
        assert_eq!(c.working_days_between(d(2026, 4, 8), d(2026, 4, 3)), 0);
    }

    #[test]
    fn a_whole_year_by_hand() {
        let c = WorkingCalendar::default();
        // 2026: 261 weekdays, 9 holidays on weekdays (15 August and 1 November fall on a weekend).
        assert_eq!(c.working_days_between(d(2025, 12, 31), d(2026, 12, 31)), 252);
        // Up to Thursday 2 April: 21 + 20 + 22 + 2.
        assert_eq!(c.working_days_between(d(2025, 12, 31), d(2026, 4, 2)), 65);
        // 200 working days after 2 April: 187 left in 2026, then 13 in January 2027 (1 January a
        // holiday, a Friday) → Wednesday 20 January 2027.
        assert_eq!(c.add_working_days(d(2026, 4, 2), 200), d(2027, 1, 20));
        assert!(!c.is_working(d(2026, 7, 14)) && !c.is_working(d(2026, 5, 25)) && !c.is_working(d(2026, 11, 11)));
        assert!(c.is_working(d(2026, 7, 15)));
    }

    #[test]
    fn excluded_periods_do_not_count() {
        let c = WorkingCalendar {
            excluded: vec![(d(2026, 10, 17), d(2026, 11, 2))],
        };
        // Friday 16 October + 1: the Toussaint holidays and 1 November → Tue 3 November.
        assert_eq!(c.add_working_days(d(2026, 10, 16), 1), d(2026, 11, 3));
    }
}
