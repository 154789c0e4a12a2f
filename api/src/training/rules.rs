//! Pure rules of training: no clock, no I/O (pass `now` / `today` in). Sources: DESIGN.md §3
//! "Training" and issue 4.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::enums::TrainingClassStatus;

use crate::error::FieldIssue;

/// Most sessions in one class.
pub const MAX_SESSIONS: usize = 50;

/// Longest session: 12 hours (720 minutes).
pub const MAX_SESSION_MINUTES: i64 = 12 * 60;

/// Share of sessions a trainee must attend to pass a class without a pass mark: 80 %.
pub const ATTENDANCE_PASS_PERCENT: u64 = 80;

/// Longest validity of a qualification: 3,650 days (about ten years).
pub const MAX_VALIDITY_DAYS: u32 = 3650;

/// An action on a training class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassAction {
    /// `planned` → `open`: enrolment opens (inside the enrolment window).
    Open,
    /// `open` → `running`: sessions begin; enrolment ends.
    Start,
    /// `running` → `finished`.
    Finish,
    /// `finished` → `archived`: read only.
    Archive,
}

/// The status after `action`, or `None` when the transition is not allowed.
pub fn transition(from: TrainingClassStatus, action: ClassAction) -> Option<TrainingClassStatus> {
    use TrainingClassStatus as S;
    match (from, action) {
        (S::Planned, ClassAction::Open) => Some(S::Open),
        (S::Open, ClassAction::Start) => Some(S::Running),
        (S::Running, ClassAction::Finish) => Some(S::Finished),
        (S::Finished, ClassAction::Archive) => Some(S::Archived),
        _ => None,
    }
}

/// Whether a qualification code is snake_case of 2–40 characters: `^[a-z][a-z0-9_]{1,39}$`.
pub fn is_code(s: &str) -> bool {
    let b = s.as_bytes();
    (2..=40).contains(&b.len())
        && b.first().is_some_and(u8::is_ascii_lowercase)
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
}

/// Whether `s` is an absolute `http` or `https` URL with a host, at most 500 characters, with
/// no whitespace or control characters.
pub fn is_web_url(s: &str) -> bool {
    if s.chars().count() > 500 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.and_then(|r| r.split(['/', '?', '#']).next())
        .is_some_and(|host| !host.is_empty() && !host.starts_with(':') && !host.contains('@'))
}

/// Checks a class schedule: 1–50 sessions, each ending after it starts and lasting at most 12
/// hours. Issues name `sessions` or `sessions[i].ends_at`.
pub fn check_sessions(sessions: &[(DateTime<Utc>, DateTime<Utc>)]) -> Vec<FieldIssue> {
    let mut issues = Vec::new();
    if sessions.is_empty() || sessions.len() > MAX_SESSIONS {
        issues.push(FieldIssue::new(
            "sessions",
            "sessions_count",
            format!("a class has 1 to {MAX_SESSIONS} sessions"),
        ));
    }
    for (i, (s, e)) in sessions.iter().enumerate() {
        if e <= s {
            issues.push(FieldIssue::new(
                format!("sessions[{i}].ends_at"),
                "end_before_start",
                "a session ends after it starts",
            ));
        } else if *e - *s > Duration::minutes(MAX_SESSION_MINUTES) {
            issues.push(FieldIssue::new(
                format!("sessions[{i}].ends_at"),
                "session_too_long",
                "a session lasts at most 12 hours",
            ));
        }
    }
    issues
}

/// Whether enrolment is open at `now`: from `opens` (inclusive) to `closes` (exclusive).
pub fn window_open(now: DateTime<Utc>, opens: DateTime<Utc>, closes: DateTime<Utc>) -> bool {
    opens <= now && now < closes
}

/// Whether a completion passes. With a pass mark: the score is given and at least the mark.
/// Without one: at least 80 % of the sessions attended (`attended * 100 >= 80 * sessions`,
/// integers only). A class with no sessions never passes by attendance.
pub fn passed(score: Option<u8>, pass_mark: Option<u8>, attended: u64, sessions: u64) -> bool {
    match pass_mark {
        Some(mark) => score.is_some_and(|s| s >= mark),
        None => sessions > 0 && attended * 100 >= ATTENDANCE_PASS_PERCENT * sessions,
    }
}

/// Last day of validity of a qualification granted on `granted_on` (platform time zone):
/// `granted_on + validity_days`; `None` without a validity period. The qualification is valid
/// on that day and expired from the next.
pub fn expires_on(granted_on: NaiveDate, validity_days: Option<u32>) -> Option<NaiveDate> {
    validity_days.and_then(|d| granted_on.checked_add_signed(Duration::days(i64::from(d))))
}

/// Whether a qualification expiring on `expires_on` (inclusive; `None`: never) is valid on
/// `day` (platform time zone): valid **on** its expiry date, expired the day after.
pub fn valid_on(expires_on: Option<NaiveDate>, day: NaiveDate) -> bool {
    expires_on.is_none_or(|e| day <= e)
}

/// The later of two expiry dates for a renewal (`None` = never expires wins).
pub fn later_expiry(a: Option<NaiveDate>, b: Option<NaiveDate>) -> Option<NaiveDate> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        _ => None,
    }
}

/// `part / whole` as a decimal string with four places, rounded half up (`"0.6667"`);
/// `"0.0000"` when `whole` is 0. Integers only.
pub fn ratio(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "0.0000".into();
    }
    let scaled = (u128::from(part) * 20_000 + u128::from(whole)) / (2 * u128::from(whole));
    format!("{}.{:04}", scaled / 10_000, scaled % 10_000)
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn class_lifecycle_moves_one_step_at_a_time() {
        use TrainingClassStatus as S;
        assert_eq!(transition(S::Planned, ClassAction::Open), Some(S::Open));
        assert_eq!(transition(S::Open, ClassAction::Start), Some(S::Running));
        assert_eq!(
            transition(S::Running, ClassAction::Finish),
            Some(S::Finished)
        );
        assert_eq!(
            transition(S::Finished, ClassAction::Archive),
            Some(S::Archived)
        );
        assert_eq!(transition(S::Planned, ClassAction::Start), None);
        assert_eq!(transition(S::Archived, ClassAction::Open), None);
        assert_eq!(transition(S::Open, ClassAction::Open), None);
    }

    #[test]
    fn codes_are_snake_case_of_2_to_40() {
        for ok in ["ab", "first_aid", "aed2", &"a".repeat(40)] {
            assert!(is_code(ok), "{ok}");
        }
        for bad in ["a", "First", "2ab", "a-b", "", &"a".repeat(41), "急救"] {
            assert!(!is_code(bad), "{bad}");
        }
    }

    #[test]
    fn only_http_and_https_urls_with_a_host() {
        assert!(is_web_url("https://example.org/a.pdf"));
        assert!(is_web_url("http://example.org"));
        for bad in [
            "ftp://x.org",
            "javascript:alert(1)",
            "https://",
            "https:///x",
            "https://a b",
            "https://user@x.org",
        ] {
            assert!(!is_web_url(bad), "{bad}");
        }
    }

    #[test]
    fn sessions_end_after_start_within_12_hours() {
        let t = |h: i64| DateTime::<Utc>::UNIX_EPOCH + Duration::hours(h);
        assert!(check_sessions(&[(t(0), t(12))]).is_empty());
        assert_eq!(check_sessions(&[(t(0), t(13))])[0].code, "session_too_long");
        assert_eq!(check_sessions(&[(t(1), t(1))])[0].code, "end_before_start");
        assert_eq!(check_sessions(&[])[0].code, "sessions_count");
        assert_eq!(
            check_sessions(&vec![(t(0), t(1)); 51])[0].code,
            "sessions_count"
        );
    }

    #[test]
    fn passing_by_mark_or_by_80_percent_attendance() {
        assert!(passed(Some(60), Some(60), 0, 5));
        assert!(!passed(Some(59), Some(60), 5, 5));
        assert!(!passed(None, Some(60), 5, 5));
        assert!(passed(None, None, 4, 5));
        assert!(!passed(None, None, 3, 5));
        assert!(passed(Some(0), None, 8, 10));
        assert!(!passed(None, None, 0, 0));
    }

    #[test]
    fn a_qualification_is_valid_on_its_expiry_day_and_expired_the_day_after() {
        let e = expires_on(d("2026-01-31"), Some(30));
        assert_eq!(e, Some(d("2026-03-02")));
        assert!(valid_on(e, d("2026-03-02")));
        assert!(!valid_on(e, d("2026-03-03")));
        assert!(valid_on(None, d("2099-01-01")));
        assert_eq!(expires_on(d("2026-01-01"), None), None);
    }

    #[test]
    fn renewals_keep_the_later_expiry() {
        assert_eq!(
            later_expiry(Some(d("2026-01-01")), Some(d("2027-01-01"))),
            Some(d("2027-01-01"))
        );
        assert_eq!(later_expiry(None, Some(d("2027-01-01"))), None);
    }

    #[test]
    fn ratios_have_four_places_rounded_half_up() {
        assert_eq!(ratio(2, 3), "0.6667");
        assert_eq!(ratio(1, 3), "0.3333");
        assert_eq!(ratio(3, 3), "1.0000");
        assert_eq!(ratio(0, 0), "0.0000");
        assert_eq!(ratio(1, 8), "0.1250");
    }
}
