//! Pure incentive rules: star levels from approved minutes under a rule set, rounding of service
//! time, and the validation of rule sets. No clock and no I/O: dates and facts are passed in.
//!
//! Sources: the default thresholds 100 / 300 / 600 / 1000 / 1500 hours for 1 to 5 stars are the
//! common 共青团 rule (《中国注册志愿者管理办法》 and provincial 星级志愿者认定 practice);
//! provinces differ, which is why thresholds are data (rule sets), never constants.

use entity::enums::CourseCategory;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Highest star level.
pub const MAX_LEVEL: i32 = 5;

/// One star threshold as stored (JSON) in `rule_sets.thresholds`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Threshold {
    /// Stars, 1 to 5.
    pub level: i32,
    /// Approved minutes needed (cumulative).
    pub min_minutes: i64,
    /// The previous level must be reached under the same rule set as well (e.g. 5 stars need 4
    /// stars first, which matters when level 4 has an extra condition).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub requires_previous_level: bool,
    /// A passed training course of this category is needed (e.g. `backbone`, 骨干志愿者培训).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires_completed_course_category: Option<CourseCategory>,
    /// The level counts only once certified: application, organization review, public notice
    /// of [`NOTICE_WORKING_DAYS`] working days without objection (星级认定).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub requires_certification: bool,
}

/// Working days of the public notice (公示) of a certification: the days after the approval,
/// platform time zone, per the working-day calendar (default 5, common provincial practice).
pub const NOTICE_WORKING_DAYS: u32 = 5;

/// One rounding bucket: the remainder of a record past its whole hours, when under
/// `below_minutes`, is credited as `credit_minutes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    /// Exclusive upper bound of the remainder (1–60).
    pub below_minutes: i32,
    /// Minutes credited for that remainder (0–60).
    pub credit_minutes: i32,
}

/// How the service time of one record is credited, as stored (JSON) in `rule_sets.rounding`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum RoundingRule {
    /// Whole minutes as served (the default).
    Exact,
    /// Whole hours as served plus the remainder (0–59 min) mapped through buckets in order,
    /// e.g. under 15 → 0, under 45 → 30, under 60 → 60.
    Buckets {
        /// Buckets by increasing `below_minutes`, the last one 60.
        buckets: Vec<Bucket>,
    },
}

/// A rule set as the evaluation needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSet {
    /// Its id (recorded with every result, so that a level can be explained).
    pub id: Uuid,
    /// Thresholds ordered by level 1 to n.
    pub thresholds: Vec<Threshold>,
    /// Rounding of service time.
    pub rounding: RoundingRule,
}

/// Facts about a volunteer besides minutes that extra conditions look at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// Categories of courses the volunteer passed.
    pub completed_course_categories: Vec<CourseCategory>,
    /// Levels granted by certification.
    pub certified_levels: Vec<i32>,
}

/// The result of evaluating a volunteer's minutes under a rule set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// Stars reached, 0 to 5.
    pub level: i32,
    /// The next level, if any.
    pub next_level: Option<i32>,
    /// Approved minutes still missing for the next level (0 when only a condition is missing).
    pub minutes_missing: Option<i64>,
    /// The extra condition that blocks the next level although its minutes are reached:
    /// `requires_previous_level` or `requires_completed_course_category`.
    pub missing_condition: Option<&'static str>,
    /// Rule set that produced it.
    pub rule_set_id: Uuid,
}

/// Why one threshold is not granted, if it is not.
fn blocker(minutes: i64, t: &Threshold, facts: &Facts, previous: bool) -> Option<&'static str> {
    if minutes < t.min_minutes {
        Some("minutes")
    } else if t.requires_previous_level && !previous {
        Some("requires_previous_level")
    } else if t
        .requires_completed_course_category
        .is_some_and(|c| !facts.completed_course_categories.contains(&c))
    {
        Some("requires_completed_course_category")
    } else if t.requires_certification && !facts.certified_levels.contains(&t.level) {
        Some("requires_certification")
    } else {
        None
    }
}

/// Whether a volunteer may apply for certification of `level`: the level requires it, is not
/// certified yet, and every other condition holds.
///
/// # Errors
/// `level_unknown`, `no_certification_needed`, `already_certified`, `not_eligible`.
pub fn certifiable(
    minutes: i64,
    rules: &RuleSet,
    facts: &Facts,
    level: i32,
) -> Result<(), &'static str> {
    let t = rules
        .thresholds
        .iter()
        .find(|t| t.level == level)
        .ok_or("level_unknown")?;
    if !t.requires_certification {
        return Err("no_certification_needed");
    }
    if facts.certified_levels.contains(&level) {
        return Err("already_certified");
    }
    let mut assumed = facts.clone();
    assumed.certified_levels.push(level);
    let mut previous = true;
    for t in &rules.thresholds {
        let ok = blocker(minutes, t, &assumed, previous).is_none();
        if t.level == level {
            return if ok { Ok(()) } else { Err("not_eligible") };
        }
        previous = ok;
    }
    Err("level_unknown")
}

/// The star level for `minutes` approved minutes under `rules`: the highest level whose minutes
/// are reached and whose extra conditions hold. Reaching a threshold exactly counts (exactly
/// 100 h = 6000 min is 1 star under the default; 5999 min is 0).
pub fn level_for(minutes: i64, rules: &RuleSet, facts: &Facts) -> Evaluation {
    let mut level = 0;
    // Level 0 is always held.
    let mut previous = true;
    for t in &rules.thresholds {
        let ok = blocker(minutes, t, facts, previous).is_none();
        if ok {
            level = t.level;
        }
        previous = ok;
    }
    let next = rules.thresholds.iter().find(|t| t.level > level);
    let (next_level, minutes_missing, missing_condition) = match next {
        None => (None, None, None),
        Some(t) => {
            // `level` is the highest level granted, so the next one's previous level is held
            // exactly when it is `level`.
            let previous = level >= t.level - 1;
            let missing = (t.min_minutes - minutes).max(0);
            let condition = blocker(minutes, t, facts, previous).filter(|b| *b != "minutes");
            (Some(t.level), Some(missing), condition)
        }
    };
    Evaluation {
        level,
        next_level,
        minutes_missing,
        missing_condition,
        rule_set_id: rules.id,
    }
}

/// Credited minutes of one record of `raw` minutes under `rule`. A negative `raw` counts as 0.
pub fn credit_minutes(raw: i32, rule: &RoundingRule) -> i32 {
    let raw = raw.max(0);
    match rule {
        RoundingRule::Exact => raw,
        RoundingRule::Buckets { buckets } => {
            let rest = raw % 60;
            let whole = raw - rest;
            let credit = buckets
                .iter()
                .find(|b| rest < b.below_minutes)
                .map_or(rest, |b| b.credit_minutes);
            whole + credit
        }
    }
}

/// Minutes of an hours value given as a decimal string (`"12.5"`, `"100"`, at most two
/// decimals) that is a whole number of minutes; `None` otherwise (`"0.01"` is 0.6 min).
pub fn hours_to_minutes(s: &str) -> Option<i64> {
    let s = s.trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty()
        || whole.len() > 9
        || frac.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || (s.contains('.') && frac.is_empty())
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let hundredths: i64 = format!("{frac:0<2}").parse().ok()?;
    let scaled = whole.checked_mul(6000)?.checked_add(hundredths * 60)?;
    (scaled % 100 == 0).then_some(scaled / 100)
}

/// One problem with a rule set: a field path and a stable code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleIssue {
    /// JSON path, e.g. `thresholds[2].hours`.
    pub field: String,
    /// Stable snake_case code.
    pub code: &'static str,
    /// Explanation.
    pub message: &'static str,
}

fn issue(field: String, code: &'static str, message: &'static str) -> RuleIssue {
    RuleIssue {
        field,
        code,
        message,
    }
}

/// Checks thresholds: 1 to 5 entries, levels 1, 2, … in order, minutes positive and strictly
/// increasing (`thresholds_not_increasing`), no `requires_previous_level` on level 1.
pub fn check_thresholds(thresholds: &[Threshold]) -> Vec<RuleIssue> {
    let mut issues = Vec::new();
    if thresholds.is_empty() || thresholds.len() > 5 {
        issues.push(issue(
            "thresholds".into(),
            "thresholds_count",
            "give 1 to 5 thresholds",
        ));
    }
    let mut last: Option<i64> = None;
    for (i, (t, expected)) in thresholds.iter().zip(1..).enumerate() {
        if t.level != expected {
            issues.push(issue(
                format!("thresholds[{i}].level"),
                "thresholds_levels",
                "levels must be 1, 2, … in order",
            ));
        }
        if t.min_minutes <= 0 {
            issues.push(issue(
                format!("thresholds[{i}].hours"),
                "hours_range",
                "hours must be positive",
            ));
        }
        if last.is_some_and(|l| t.min_minutes <= l) {
            issues.push(issue(
                format!("thresholds[{i}].hours"),
                "thresholds_not_increasing",
                "each level needs more hours than the previous one",
            ));
        }
        if t.level == 1 && t.requires_previous_level {
            issues.push(issue(
                format!("thresholds[{i}].requires_previous_level"),
                "no_previous_level",
                "level 1 has no previous level",
            ));
        }
        last = Some(t.min_minutes);
    }
    issues
}

/// Checks a rounding rule: buckets non-empty, `below_minutes` strictly increasing within 1–60
/// and ending at 60, `credit_minutes` within 0–60 and never decreasing.
pub fn check_rounding(rule: &RoundingRule) -> Vec<RuleIssue> {
    let mut issues = Vec::new();
    let RoundingRule::Buckets { buckets } = rule else {
        return issues;
    };
    if buckets.is_empty() || buckets.len() > 60 {
        issues.push(issue(
            "rounding.buckets".into(),
            "buckets_count",
            "give 1 to 60 buckets",
        ));
    }
    let mut last: Option<Bucket> = None;
    for (i, b) in buckets.iter().enumerate() {
        if !(1..=60).contains(&b.below_minutes)
            || last.is_some_and(|l| b.below_minutes <= l.below_minutes)
        {
            issues.push(issue(
                format!("rounding.buckets[{i}].below_minutes"),
                "buckets_not_increasing",
                "below_minutes must increase within 1 to 60",
            ));
        }
        if !(0..=60).contains(&b.credit_minutes)
            || last.is_some_and(|l| b.credit_minutes < l.credit_minutes)
        {
            issues.push(issue(
                format!("rounding.buckets[{i}].credit_minutes"),
                "buckets_credit",
                "credit_minutes must be 0 to 60 and never decrease",
            ));
        }
        last = Some(*b);
    }
    if last.is_some_and(|l| l.below_minutes != 60) {
        issues.push(issue(
            "rounding.buckets".into(),
            "buckets_incomplete",
            "the last bucket must end at 60 minutes",
        ));
    }
    issues
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(level: i32, hours: i64) -> Threshold {
        Threshold {
            level,
            min_minutes: hours * 60,
            requires_previous_level: false,
            requires_completed_course_category: None,
            requires_certification: false,
        }
    }

    fn default_rules() -> RuleSet {
        RuleSet {
            id: Uuid::nil(),
            thresholds: vec![t(1, 100), t(2, 300), t(3, 600), t(4, 1000), t(5, 1500)],
            rounding: RoundingRule::Exact,
        }
    }

    #[test]
    fn default_thresholds_table() {
        let r = default_rules();
        let none = Facts::default();
        let cases = [
            (0, 0, Some(1), Some(6000)),
            (5999, 0, Some(1), Some(1)),
            (6000, 1, Some(2), Some(12000)),
            (17_999, 1, Some(2), Some(1)),
            (18_000, 2, Some(3), Some(18_000)),
            (36_000, 3, Some(4), Some(24_000)),
            (60_000, 4, Some(5), Some(30_000)),
            (89_999, 4, Some(5), Some(1)),
            (90_000, 5, None, None),
            (1_000_000, 5, None, None),
            (-30, 0, Some(1), Some(6030)),
        ];
        for (minutes, level, next, missing) in cases {
            let e = level_for(minutes, &r, &none);
            assert_eq!(e.level, level, "{minutes}");
            assert_eq!(e.next_level, next, "{minutes}");
            assert_eq!(e.minutes_missing, missing, "{minutes}");
            assert_eq!(e.missing_condition, None);
        }
    }

    #[test]
    fn extra_conditions_hold_back_levels() {
        let mut r = default_rules();
        if let Some(four) = r.thresholds.get_mut(3) {
            four.requires_completed_course_category = Some(CourseCategory::Backbone);
        }
        if let Some(five) = r.thresholds.get_mut(4) {
            five.requires_previous_level = true;
        }
        let none = Facts::default();
        let e = level_for(95_000, &r, &none);
        assert_eq!(e.level, 3);
        assert_eq!(e.next_level, Some(4));
        assert_eq!(e.minutes_missing, Some(0));
        assert_eq!(
            e.missing_condition,
            Some("requires_completed_course_category")
        );
        let backbone = Facts {
            completed_course_categories: vec![CourseCategory::Backbone],
            ..Facts::default()
        };
        assert_eq!(level_for(95_000, &r, &backbone).level, 5);
        // Without requires_previous_level, level 5 does not depend on level 4.
        if let Some(five) = r.thresholds.get_mut(4) {
            five.requires_previous_level = false;
        }
        assert_eq!(level_for(95_000, &r, &none).level, 5);
    }

    #[test]
    fn certification_gates_a_level_until_granted() {
        let mut r = default_rules();
        if let Some(three) = r.thresholds.get_mut(2) {
            three.requires_certification = true;
        }
        let none = Facts::default();
        let e = level_for(40_000, &r, &none);
        assert_eq!(e.level, 2);
        assert_eq!(e.missing_condition, Some("requires_certification"));
        assert_eq!(certifiable(40_000, &r, &none, 3), Ok(()));
        assert_eq!(certifiable(30_000, &r, &none, 3), Err("not_eligible"));
        assert_eq!(
            certifiable(40_000, &r, &none, 2),
            Err("no_certification_needed")
        );
        assert_eq!(certifiable(40_000, &r, &none, 6), Err("level_unknown"));
        let certified = Facts {
            certified_levels: vec![3],
            ..Facts::default()
        };
        assert_eq!(level_for(40_000, &r, &certified).level, 3);
        assert_eq!(
            certifiable(40_000, &r, &certified, 3),
            Err("already_certified")
        );
    }

    #[test]
    fn rounding_buckets_table() {
        let rule = RoundingRule::Buckets {
            buckets: vec![
                Bucket {
                    below_minutes: 15,
                    credit_minutes: 0,
                },
                Bucket {
                    below_minutes: 45,
                    credit_minutes: 30,
                },
                Bucket {
                    below_minutes: 60,
                    credit_minutes: 60,
                },
            ],
        };
        let cases = [
            (0, 0),
            (14, 0),
            (15, 30),
            (44, 30),
            (45, 60),
            (59, 60),
            (60, 60),
            (74, 60),
            (75, 90),
            (105, 120),
            (-5, 0),
        ];
        for (raw, credited) in cases {
            assert_eq!(credit_minutes(raw, &rule), credited, "{raw}");
        }
        assert_eq!(credit_minutes(89, &RoundingRule::Exact), 89);
        assert!(check_rounding(&rule).is_empty());
    }

    #[test]
    fn hours_strings_table() {
        let cases = [
            ("100", Some(6000)),
            ("12.5", Some(750)),
            ("12.50", Some(750)),
            ("0.25", Some(15)),
            ("0.01", None),
            ("1.", None),
            (".5", None),
            ("-1", None),
            ("1e3", None),
            ("1.234", None),
            ("", None),
        ];
        for (s, m) in cases {
            assert_eq!(hours_to_minutes(s), m, "{s}");
        }
    }

    #[test]
    fn threshold_checks() {
        assert!(check_thresholds(&default_rules().thresholds).is_empty());
        let codes = |ts: &[Threshold]| -> Vec<&str> {
            check_thresholds(ts).into_iter().map(|i| i.code).collect()
        };
        assert_eq!(
            codes(&[t(1, 100), t(2, 100)]),
            ["thresholds_not_increasing"]
        );
        assert_eq!(
            codes(&[t(1, 300), t(2, 100)]),
            ["thresholds_not_increasing"]
        );
        assert_eq!(codes(&[t(2, 100)]), ["thresholds_levels"]);
        assert_eq!(codes(&[]), ["thresholds_count"]);
        assert_eq!(codes(&[t(1, 0)]), ["hours_range"]);
    }

    #[test]
    fn bucket_checks() {
        let b = |below_minutes, credit_minutes| Bucket {
            below_minutes,
            credit_minutes,
        };
        let codes = |buckets: Vec<Bucket>| -> Vec<&str> {
            check_rounding(&RoundingRule::Buckets { buckets })
                .into_iter()
                .map(|i| i.code)
                .collect()
        };
        assert_eq!(
            codes(vec![b(30, 0), b(15, 30), b(60, 60)]),
            ["buckets_not_increasing"]
        );
        assert_eq!(codes(vec![b(15, 30), b(60, 0)]), ["buckets_credit"]);
        assert_eq!(codes(vec![b(15, 0), b(45, 30)]), ["buckets_incomplete"]);
        assert_eq!(codes(vec![]), ["buckets_count"]);
    }
}
