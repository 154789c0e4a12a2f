//! Pure rules of the service-hour ledger: minutes from an interval, rounding, overlap, working
//! days and the late flag, hours for display. No clock and no I/O: callers pass `today` and the
//! calendar exceptions.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike as _, NaiveDate, Utc, Weekday};

/// The longest interval one record may cover, in minutes (24 h). Longer service is split into
/// several records by whoever enters it.
pub const MAX_RECORD_MINUTES: i64 = 24 * 60;

/// Working days after the end of an activity within which it should be recorded (民政部
/// 《志愿服务记录与证明出具办法（试行）》2020, Art. 11: 十个工作日). Later entries are accepted
/// and flagged late.
pub const RECORDING_WORKING_DAYS: u32 = 10;

/// Why an interval cannot be a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntervalError {
    /// The end is before or equal to the start (or less than one whole minute after it).
    Invalid,
    /// Longer than [`MAX_RECORD_MINUTES`].
    TooLong,
}

/// How raw minutes are credited. The active rule set decides (rule sets with an effective date
/// arrive with the incentives work, DESIGN.md §3 "Incentives"); until then every record uses
/// [`Rounding::Exact`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Rounding {
    /// Whole minutes as served (the default).
    #[default]
    Exact,
    /// Down to a multiple of `step` minutes (e.g. 30: 1 h 29 min → 1 h).
    Down {
        /// Step in minutes, ≥ 1.
        step: i32,
    },
    /// To the nearest multiple of `step` minutes, halves up (e.g. 30: 1 h 15 min → 1 h 30 min).
    Nearest {
        /// Step in minutes, ≥ 1.
        step: i32,
    },
}

/// Whole minutes between `start` and `end` (seconds are dropped: 59 s count as 0 min).
///
/// An interval across midnight is one record; offsets do not matter because instants are
/// compared in UTC.
///
/// # Errors
/// [`IntervalError::Invalid`] when `end <= start` or the interval is shorter than one minute;
/// [`IntervalError::TooLong`] when it is longer than 24 hours.
pub fn interval_minutes(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<i32, IntervalError> {
    if end <= start {
        return Err(IntervalError::Invalid);
    }
    let minutes = (end - start).num_minutes();
    if minutes < 1 {
        return Err(IntervalError::Invalid);
    }
    if minutes > MAX_RECORD_MINUTES {
        return Err(IntervalError::TooLong);
    }
    i32::try_from(minutes).map_err(|_| IntervalError::TooLong)
}

/// Credited minutes for `raw` minutes under `rounding`. A non-positive step is treated as
/// [`Rounding::Exact`].
pub fn round_minutes(raw: i32, rounding: &Rounding) -> i32 {
    match *rounding {
        Rounding::Exact => raw,
        Rounding::Down { step } if step > 0 => raw - raw.rem_euclid(step),
        Rounding::Nearest { step } if step > 0 => {
            let rest = raw.rem_euclid(step);
            if rest * 2 >= step {
                raw - rest + step
            } else {
                raw - rest
            }
        }
        Rounding::Down { .. } | Rounding::Nearest { .. } => raw,
    }
}

/// Whether two half-open intervals `[a_start, a_end)` and `[b_start, b_end)` share time.
/// Touching intervals (one ends when the other starts) do not overlap.
pub fn overlaps(
    a_start: DateTime<Utc>,
    a_end: DateTime<Utc>,
    b_start: DateTime<Utc>,
    b_end: DateTime<Utc>,
) -> bool {
    a_start < b_end && b_start < a_end
}

/// Whether `date` is a working day: Monday to Friday unless listed in `holidays`, or any day
/// listed in `workdays` (make-up working days, 调休).
pub fn is_working_day(
    date: NaiveDate,
    holidays: &BTreeSet<NaiveDate>,
    workdays: &BTreeSet<NaiveDate>,
) -> bool {
    if workdays.contains(&date) {
        return true;
    }
    if holidays.contains(&date) {
        return false;
    }
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The `n`-th working day after `date` (`date` itself never counts). With `n = 0` it is `date`.
pub fn add_working_days(
    date: NaiveDate,
    n: u32,
    holidays: &BTreeSet<NaiveDate>,
    workdays: &BTreeSet<NaiveDate>,
) -> NaiveDate {
    let mut current = date;
    let mut left = n;
    while left > 0 {
        match current.succ_opt() {
            Some(next) => current = next,
            None => return current,
        }
        if is_working_day(current, holidays, workdays) {
            left -= 1;
        }
    }
    current
}

/// Whether a record of an activity that ended on `ended_on` and was entered on `entered_on`
/// (both dates in the platform time zone) is late: entered after the
/// [`RECORDING_WORKING_DAYS`]-th working day following the end (Art. 11).
pub fn is_late(
    ended_on: NaiveDate,
    entered_on: NaiveDate,
    holidays: &BTreeSet<NaiveDate>,
    workdays: &BTreeSet<NaiveDate>,
) -> bool {
    entered_on > add_working_days(ended_on, RECORDING_WORKING_DAYS, holidays, workdays)
}

/// Hours for display as a decimal string with at most two decimals, rounded half up and without
/// trailing zeros: 750 → `"12.5"`, 60 → `"1"`, 100 → `"1.67"`, 0 → `"0"`. Durations are stored
/// in minutes; this is only a display unit (DESIGN.md §2).
pub fn hours_display(minutes: i64) -> String {
    let negative = minutes < 0;
    let m = i128::from(minutes).abs();
    // Hundredths of an hour, rounded half up: m / 60 * 100.
    let hundredths = (m * 100 + 30) / 60;
    let whole = hundredths / 100;
    let frac = hundredths % 100;
    let sign = if negative && hundredths > 0 { "-" } else { "" };
    if frac == 0 {
        format!("{sign}{whole}")
    } else if frac % 10 == 0 {
        format!("{sign}{whole}.{}", frac / 10)
    } else {
        format!("{sign}{whole}.{frac:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn set(days: &[&str]) -> BTreeSet<NaiveDate> {
        days.iter().map(|s| d(s)).collect()
    }

    #[test]
    fn minutes_come_from_the_interval_in_any_offset() {
        let cases = [
            (
                "2026-03-02T09:00:00+08:00",
                "2026-03-02T11:30:00+08:00",
                Ok(150),
            ),
            (
                "2026-03-02T22:00:00+08:00",
                "2026-03-03T02:00:00+08:00",
                Ok(240),
            ),
            (
                "2026-03-02T09:00:00-05:00",
                "2026-03-02T14:00:00Z",
                Err(IntervalError::Invalid),
            ),
            ("2026-03-02T09:00:00-05:00", "2026-03-02T15:00:00Z", Ok(60)),
            (
                "2026-03-02T09:00:00Z",
                "2026-03-02T09:00:59Z",
                Err(IntervalError::Invalid),
            ),
            (
                "2026-03-02T09:00:00Z",
                "2026-03-02T09:00:00Z",
                Err(IntervalError::Invalid),
            ),
            (
                "2026-03-02T10:00:00Z",
                "2026-03-02T09:00:00Z",
                Err(IntervalError::Invalid),
            ),
            ("2026-03-02T09:00:00Z", "2026-03-03T09:00:00Z", Ok(1440)),
            (
                "2026-03-02T09:00:00Z",
                "2026-03-03T09:01:00Z",
                Err(IntervalError::TooLong),
            ),
        ];
        for (start, end, expected) in cases {
            assert_eq!(
                interval_minutes(at(start), at(end)),
                expected,
                "{start} .. {end}"
            );
        }
    }

    #[test]
    fn rounding_table() {
        let cases = [
            (89, Rounding::Exact, 89),
            (89, Rounding::Down { step: 30 }, 60),
            (90, Rounding::Down { step: 30 }, 90),
            (74, Rounding::Nearest { step: 30 }, 60),
            (75, Rounding::Nearest { step: 30 }, 90),
            (89, Rounding::Nearest { step: 0 }, 89),
            (89, Rounding::Down { step: -5 }, 89),
        ];
        for (raw, rule, expected) in cases {
            assert_eq!(round_minutes(raw, &rule), expected, "{raw} {rule:?}");
        }
        assert_eq!(Rounding::default(), Rounding::Exact);
    }

    #[test]
    fn overlap_is_half_open() {
        let a = (at("2026-03-02T09:00:00Z"), at("2026-03-02T11:00:00Z"));
        let touching = (at("2026-03-02T11:00:00Z"), at("2026-03-02T12:00:00Z"));
        let inside = (at("2026-03-02T09:30:00Z"), at("2026-03-02T10:00:00Z"));
        let partial = (at("2026-03-02T10:59:00Z"), at("2026-03-02T12:00:00Z"));
        assert!(!overlaps(a.0, a.1, touching.0, touching.1));
        assert!(!overlaps(touching.0, touching.1, a.0, a.1));
        assert!(overlaps(a.0, a.1, inside.0, inside.1));
        assert!(overlaps(inside.0, inside.1, a.0, a.1));
        assert!(overlaps(a.0, a.1, partial.0, partial.1));
    }

    #[test]
    fn add_working_days_table() {
        // 2026-05-01 (Fri) to 05-05 (Tue): Labour Day holidays; 2026-05-09 (Sat): make-up day.
        let holidays = set(&["2026-05-01", "2026-05-04", "2026-05-05"]);
        let workdays = set(&["2026-05-09"]);
        let none = BTreeSet::new();
        type Case<'a> = (
            &'a str,
            u32,
            &'a BTreeSet<NaiveDate>,
            &'a BTreeSet<NaiveDate>,
            &'a str,
        );
        let cases: [Case<'_>; 8] = [
            // Plain week: Monday + 4 → Friday; Friday + 1 → next Monday (weekend skipped).
            ("2026-03-02", 4, &none, &none, "2026-03-06"),
            ("2026-03-06", 1, &none, &none, "2026-03-09"),
            // Saturday + 1 → Monday; 0 days → the same date.
            ("2026-03-07", 1, &none, &none, "2026-03-09"),
            ("2026-03-07", 0, &none, &none, "2026-03-07"),
            // Ten working days from a Monday: two weeks later.
            ("2026-03-02", 10, &none, &none, "2026-03-16"),
            // Across the holiday: Thu 04-30 + 1 → Wed 05-06 (05-01, 05-04, 05-05 are holidays).
            ("2026-04-30", 1, &holidays, &none, "2026-05-06"),
            // The make-up Saturday counts: Fri 05-08 + 1 → Sat 05-09.
            ("2026-05-08", 1, &holidays, &workdays, "2026-05-09"),
            // Ten working days across both: 04-30 → 05-06,07,08,09(Sat),11,12,13,14,15,18.
            ("2026-04-30", 10, &holidays, &workdays, "2026-05-18"),
        ];
        for (start, n, h, w, expected) in cases {
            assert_eq!(
                add_working_days(d(start), n, h, w),
                d(expected),
                "{start} + {n}"
            );
        }
    }

    #[test]
    fn late_means_after_the_tenth_working_day() {
        let none = BTreeSet::new();
        // Ended Monday 03-02; the 10th working day after is Monday 03-16.
        assert!(!is_late(d("2026-03-02"), d("2026-03-02"), &none, &none));
        assert!(!is_late(d("2026-03-02"), d("2026-03-16"), &none, &none));
        assert!(is_late(d("2026-03-02"), d("2026-03-17"), &none, &none));
        // A holiday on 03-10 pushes the deadline to 03-17.
        let holiday = set(&["2026-03-10"]);
        assert!(!is_late(d("2026-03-02"), d("2026-03-17"), &holiday, &none));
    }

    #[test]
    fn hours_are_decimal_strings() {
        let cases = [
            (0, "0"),
            (60, "1"),
            (750, "12.5"),
            (100, "1.67"),
            (61, "1.02"),
            (1, "0.02"),
            (-90, "-1.5"),
        ];
        for (m, expected) in cases {
            assert_eq!(hours_display(m), expected, "{m}");
        }
    }

    #[test]
    fn dates_at_midnight_in_shanghai_are_the_previous_utc_day() {
        // Sanity check of the time-zone handling callers rely on.
        let tz = chrono_tz::Asia::Shanghai;
        let local = tz.with_ymd_and_hms(2026, 3, 3, 1, 0, 0).unwrap();
        assert_eq!(local.with_timezone(&Utc).date_naive(), d("2026-03-02"));
        assert_eq!(local.date_naive(), d("2026-03-03"));
    }
}
