//! Pure rules of award campaigns, the credit list and benefits: campaign eligibility, ranking by
//! exact mean score, the public-notice period, sanction activity, region matching and redemption
//! codes. No clock and no I/O: callers pass `today` and the facts.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use rand::Rng as _;
use uuid::Uuid;

use crate::records::rules::add_working_days;

/// Default length of a campaign's public notice (公示) in working days: the common practice of
/// 共青团 award notices ("公示期为5个工作日").
pub const DEFAULT_NOTICE_WORKING_DAYS: i32 = 5;

/// Alphabet of redemption codes: digits and upper-case letters without the look-alikes
/// `0 O 1 I L` (and `U`/`V` pairs kept apart by leaving out `U`).
pub const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Length of a redemption code: 12 characters of a 30-symbol alphabet (about 59 bits).
pub const CODE_LENGTH: usize = 12;

/// A fresh random redemption code from the operating system's CSPRNG-seeded thread RNG.
pub fn redemption_code() -> String {
    let mut rng = rand::rng();
    (0..CODE_LENGTH)
        .map(|_| {
            let i = rng.random_range(0..CODE_ALPHABET.len());
            char::from(CODE_ALPHABET.get(i).copied().unwrap_or(b'2'))
        })
        .collect()
}

/// A code as typed by a person, normalised: trimmed, upper case, spaces and dashes removed.
pub fn normalise_code(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

/// Whether a sanction is active on `today`: not lifted, started, and not ended (both days
/// inclusive).
pub fn sanction_active(
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
    lifted: bool,
    today: NaiveDate,
) -> bool {
    !lifted && starts_on <= today && ends_on.is_none_or(|e| today <= e)
}

/// The codes a region matches offers by: itself and its prefecture and province (GB/T 2260),
/// e.g. `320102` → `[320102, 320100, 320000]`. An offer listing any of them covers the region.
pub fn region_ancestors(code: &str) -> Vec<String> {
    let mut out = vec![code.to_owned()];
    if code.len() == 6 && code.is_ascii() {
        let prefecture = format!("{}00", &code[..4]);
        let province = format!("{}0000", &code[..2]);
        for c in [prefecture, province] {
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    out
}

/// The facts about a nominee that campaign eligibility needs.
#[derive(Debug, Clone, Default)]
pub struct NomineeFacts {
    /// Approved minutes of services starting within the campaign period.
    pub minutes_in_period: i64,
    /// Current stored star level.
    pub star_level: i32,
    /// Courses completed with a pass.
    pub passed_courses: BTreeSet<Uuid>,
    /// Voided records of services starting within the period.
    pub voided_in_period: u64,
    /// Whether a sanction is active today.
    pub sanctioned: bool,
}

/// The criteria of a campaign.
#[derive(Debug, Clone, Default)]
pub struct Criteria {
    /// Minimum approved minutes within the period.
    pub min_minutes: i64,
    /// Minimum current star level.
    pub min_star_level: i32,
    /// Courses that must have been passed.
    pub required_courses: Vec<Uuid>,
}

/// The criteria a nominee fails, as stable codes, in this order: `sanctioned`,
/// `voided_records`, `insufficient_hours`, `star_level_too_low`, `training_missing`. Empty when
/// eligible. Exactly the minimum passes (`minutes_in_period >= min_minutes`).
pub fn failing_criteria(c: &Criteria, f: &NomineeFacts) -> Vec<&'static str> {
    let mut out = Vec::new();
    if f.sanctioned {
        out.push("sanctioned");
    }
    if f.voided_in_period > 0 {
        out.push("voided_records");
    }
    if f.minutes_in_period < c.min_minutes {
        out.push("insufficient_hours");
    }
    if f.star_level < c.min_star_level {
        out.push("star_level_too_low");
    }
    if c.required_courses
        .iter()
        .any(|id| !f.passed_courses.contains(id))
    {
        out.push("training_missing");
    }
    out
}

/// One nomination as ranking sees it.
#[derive(Debug, Clone)]
pub struct Ranked {
    /// Nomination id.
    pub id: Uuid,
    /// Sum of the reviewers' scores.
    pub score_sum: i64,
    /// Number of scores (at least 1 when ranked).
    pub score_count: i64,
    /// Approved minutes in the campaign period (first tie-breaker, more is better).
    pub approved_minutes: i64,
    /// Nomination time (second tie-breaker, earlier is better).
    pub nominated_at: DateTime<Utc>,
}

/// Compares two exact means `a_sum / a_count` and `b_sum / b_count` without division or
/// floats (cross-multiplication in `i128`). A count of 0 ranks as the lowest mean.
pub fn compare_means(a_sum: i64, a_count: i64, b_sum: i64, b_count: i64) -> Ordering {
    match (a_count, b_count) {
        (0, 0) => Ordering::Equal,
        (0, _) => Ordering::Less,
        (_, 0) => Ordering::Greater,
        _ => (i128::from(a_sum) * i128::from(b_count))
            .cmp(&(i128::from(b_sum) * i128::from(a_count))),
    }
}

/// Ranks nominations best first: by exact mean score (descending), then approved minutes in
/// the period (descending), then nomination time (ascending), then id (the UUID v7 order, i.e.
/// creation order) so the order is total.
pub fn rank(mut items: Vec<Ranked>) -> Vec<Ranked> {
    items.sort_by(|a, b| {
        compare_means(b.score_sum, b.score_count, a.score_sum, a.score_count)
            .then_with(|| b.approved_minutes.cmp(&a.approved_minutes))
            .then_with(|| a.nominated_at.cmp(&b.nominated_at))
            .then_with(|| a.id.cmp(&b.id))
    });
    items
}

/// The mean score for display with two decimals, rounded half up (`175 / 2` → `"87.50"`,
/// `200 / 3` → `"66.67"`); `None` without scores. Display only: ranking uses the exact mean.
pub fn mean_display(sum: i64, count: i64) -> Option<String> {
    if count <= 0 {
        return None;
    }
    let hundredths = (i128::from(sum) * 200 + i128::from(count)) / (i128::from(count) * 2);
    Some(format!("{}.{:02}", hundredths / 100, hundredths % 100))
}

/// Last day of a public notice that starts on `start` and lasts `working_days` working days
/// after it (the start day's own remainder does not count), per the working-day calendar
/// (`holidays`, `workdays` from `calendar_days`; weekends otherwise off). Same rule as the
/// star-level certification notice.
pub fn notice_end(
    start: NaiveDate,
    working_days: u32,
    holidays: &BTreeSet<NaiveDate>,
    workdays: &BTreeSet<NaiveDate>,
) -> NaiveDate {
    add_working_days(start, working_days, holidays, workdays)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn exactly_the_minimum_passes_and_one_minute_less_fails() {
        let c = Criteria {
            min_minutes: 6000,
            min_star_level: 1,
            required_courses: vec![],
        };
        let mut f = NomineeFacts {
            minutes_in_period: 6000,
            star_level: 1,
            ..NomineeFacts::default()
        };
        assert!(failing_criteria(&c, &f).is_empty());
        f.minutes_in_period = 5999;
        assert_eq!(failing_criteria(&c, &f), ["insufficient_hours"]);
        f.minutes_in_period = 6000;
        f.star_level = 0;
        assert_eq!(failing_criteria(&c, &f), ["star_level_too_low"]);
    }

    #[test]
    fn every_failing_criterion_is_named_in_a_fixed_order() {
        let course = Uuid::now_v7();
        let c = Criteria {
            min_minutes: 1,
            min_star_level: 2,
            required_courses: vec![course],
        };
        let f = NomineeFacts {
            voided_in_period: 1,
            sanctioned: true,
            ..NomineeFacts::default()
        };
        assert_eq!(
            failing_criteria(&c, &f),
            [
                "sanctioned",
                "voided_records",
                "insufficient_hours",
                "star_level_too_low",
                "training_missing"
            ]
        );
    }

    #[test]
    fn means_compare_exactly_without_floats() {
        // 2/3 vs 666/1000: 0.6666… > 0.666.
        assert_eq!(compare_means(2, 3, 666, 1000), Ordering::Greater);
        assert_eq!(compare_means(170, 2, 255, 3), Ordering::Equal);
        assert_eq!(compare_means(0, 0, 0, 1), Ordering::Less);
    }

    #[test]
    fn ties_are_broken_by_minutes_then_nomination_time() {
        let t0 = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let t1 = t0 + chrono::Duration::minutes(1);
        let a = Ranked {
            id: Uuid::now_v7(),
            score_sum: 180,
            score_count: 2,
            approved_minutes: 100,
            nominated_at: t1,
        };
        let b = Ranked {
            id: Uuid::now_v7(),
            score_sum: 270,
            score_count: 3,
            approved_minutes: 200,
            nominated_at: t1,
        };
        let c = Ranked {
            id: Uuid::now_v7(),
            score_sum: 90,
            score_count: 1,
            approved_minutes: 200,
            nominated_at: t0,
        };
        let top = Ranked {
            id: Uuid::now_v7(),
            score_sum: 181,
            score_count: 2,
            approved_minutes: 0,
            nominated_at: t1,
        };
        let order: Vec<Uuid> = rank(vec![a.clone(), b.clone(), c.clone(), top.clone()])
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(order, [top.id, c.id, b.id, a.id]);
    }

    #[test]
    fn means_display_with_two_decimals_rounded_half_up() {
        assert_eq!(mean_display(175, 2).as_deref(), Some("87.50"));
        assert_eq!(mean_display(200, 3).as_deref(), Some("66.67"));
        assert_eq!(mean_display(100, 1).as_deref(), Some("100.00"));
        assert_eq!(mean_display(0, 0), None);
    }

    #[test]
    fn a_notice_from_a_friday_ends_on_the_next_friday_and_holidays_push_it() {
        let none = BTreeSet::new();
        // 2026-12-04 is a Friday: Mon 7 … Fri 11 are the five working days.
        assert_eq!(
            notice_end(d("2026-12-04"), 5, &none, &none),
            d("2026-12-11")
        );
        // From a Wednesday: Thu, Fri, Mon, Tue, Wed.
        assert_eq!(
            notice_end(d("2026-12-02"), 5, &none, &none),
            d("2026-12-09")
        );
        // A holiday on Monday adds a day; a make-up Saturday removes one.
        let holidays = BTreeSet::from([d("2026-12-07")]);
        assert_eq!(
            notice_end(d("2026-12-04"), 5, &holidays, &none),
            d("2026-12-14")
        );
        let workdays = BTreeSet::from([d("2026-12-05")]);
        assert_eq!(
            notice_end(d("2026-12-04"), 5, &none, &workdays),
            d("2026-12-10")
        );
    }

    #[test]
    fn sanctions_are_active_within_their_days_unless_lifted() {
        let s = d("2026-03-01");
        assert!(sanction_active(s, None, false, s));
        assert!(!sanction_active(s, None, false, d("2026-02-28")));
        assert!(sanction_active(
            s,
            Some(d("2026-03-31")),
            false,
            d("2026-03-31")
        ));
        assert!(!sanction_active(
            s,
            Some(d("2026-03-31")),
            false,
            d("2026-04-01")
        ));
        assert!(!sanction_active(s, None, true, s));
    }

    #[test]
    fn regions_match_their_prefecture_and_province() {
        assert_eq!(region_ancestors("320102"), ["320102", "320100", "320000"]);
        assert_eq!(region_ancestors("320100"), ["320100", "320000"]);
        assert_eq!(region_ancestors("320000"), ["320000"]);
    }

    #[test]
    fn codes_are_long_unambiguous_and_normalised_when_typed() {
        let c = redemption_code();
        assert_eq!(c.len(), CODE_LENGTH);
        assert!(c.bytes().all(|b| CODE_ALPHABET.contains(&b)));
        for bad in ['0', 'O', '1', 'I', 'L'] {
            assert!(!CODE_ALPHABET.contains(&(bad as u8)));
        }
        assert_ne!(redemption_code(), redemption_code());
        assert_eq!(normalise_code(" abcd-efgh 2345 "), "ABCDEFGH2345");
    }
}
