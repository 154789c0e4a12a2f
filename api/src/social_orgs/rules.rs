//! Pure rules of youth social organizations: incubation transitions, the USCC prefix of
//! civil-affairs registration, the indicator-tree checks of rating templates, the exact
//! aggregation of reviewer totals and the grade bands. No clock, no I/O.
//!
//! Scores are integer hundredths of a point (`90.00` points = `9000`); percentages are compared
//! with integer cross-multiplication (`i128`), never floats.

use entity::social_orgs::IncubationStatus;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Whether an incubation status may move from `from` to `to`:
/// `applied → incubating → graduated`, and `applied | incubating → withdrawn`.
/// `graduated` and `withdrawn` are final.
pub fn incubation_transition_allowed(from: IncubationStatus, to: IncubationStatus) -> bool {
    use IncubationStatus::{Applied, Graduated, Incubating, Withdrawn};
    matches!(
        (from, to),
        (Applied, Incubating) | (Incubating, Graduated) | (Applied | Incubating, Withdrawn)
    )
}

/// Whether a USCC (already checked against GB 32100) belongs to a civil-affairs registered body:
/// first character `5` (民政, registration authority) and second `1` 社会团体, `2` 民办非企业单位
/// (社会服务机构), `3` 基金会 or `9` other.
///
/// Source: GB 32100-2015, code table of registration authorities and organization types.
pub fn is_civil_affairs_uscc(uscc: &str) -> bool {
    matches!(uscc.get(..2), Some("51" | "52" | "53" | "59"))
}

/// One grade band: an aggregate of at least `min_basis_points` / 10000 of the template maximum
/// earns `grade` (`9000` = 90 %).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Band {
    /// Grade label, 1–8 characters (e.g. `5A`).
    pub grade: String,
    /// Lower bound (inclusive) in basis points of the template maximum, 1–10000.
    pub min_basis_points: i64,
}

/// Default bands: 5A ≥ 90 %, 4A ≥ 80 %, 3A ≥ 70 %, 2A ≥ 60 %, 1A ≥ 50 %, else no grade
/// (the five grades of 《社会组织评估管理办法》(民政部令第39号); the thresholds are the issue's
/// defaults and configurable per round).
pub fn default_bands() -> Vec<Band> {
    [
        ("5A", 9000),
        ("4A", 8000),
        ("3A", 7000),
        ("2A", 6000),
        ("1A", 5000),
    ]
    .into_iter()
    .map(|(g, b)| Band {
        grade: g.to_owned(),
        min_basis_points: b,
    })
    .collect()
}

/// Checks bands: 1–10 bands, grades 1–8 characters and distinct, bounds 1–10000 and strictly
/// descending. Returns a message for the first problem.
pub fn check_bands(bands: &[Band]) -> Result<(), &'static str> {
    if bands.is_empty() || bands.len() > 10 {
        return Err("between 1 and 10 bands");
    }
    let mut prev: Option<i64> = None;
    for (i, b) in bands.iter().enumerate() {
        let len = b.grade.trim().chars().count();
        if len == 0 || len > 8 {
            return Err("a grade has 1 to 8 characters");
        }
        if bands
            .iter()
            .skip(i + 1)
            .any(|o| o.grade.trim() == b.grade.trim())
        {
            return Err("grades must be distinct");
        }
        if !(1..=10_000).contains(&b.min_basis_points) {
            return Err("min_basis_points must be 1 to 10000");
        }
        if prev.is_some_and(|p| b.min_basis_points >= p) {
            return Err("bands must be in strictly descending order of min_basis_points");
        }
        prev = Some(b.min_basis_points);
    }
    Ok(())
}

/// The exact aggregate of one organization: the mean `sum / counted` of the counted reviewer
/// totals (hundredths of a point).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Aggregate {
    /// Reviewers who scored.
    pub reviewer_count: i64,
    /// Totals in the mean (after trimming).
    pub counted: i64,
    /// Sum of the counted totals.
    pub sum: i64,
}

/// Reviewers needed before the highest and lowest totals are dropped.
pub const TRIM_MIN_REVIEWERS: usize = 5;

/// Aggregates reviewer totals: the mean of all totals, or — when `trim` and there are at least
/// [`TRIM_MIN_REVIEWERS`] — of the totals without the single highest and the single lowest
/// (the usual 去掉一个最高分和一个最低分 of expert panels). `None` without totals.
pub fn aggregate(totals: &[i64], trim: bool) -> Option<Aggregate> {
    if totals.is_empty() {
        return None;
    }
    let mut sorted = totals.to_vec();
    sorted.sort_unstable();
    let counted: &[i64] = if trim && sorted.len() >= TRIM_MIN_REVIEWERS {
        sorted.get(1..sorted.len() - 1).unwrap_or(&sorted)
    } else {
        &sorted
    };
    Some(Aggregate {
        reviewer_count: i64::try_from(totals.len()).ok()?,
        counted: i64::try_from(counted.len()).ok()?,
        sum: counted.iter().sum(),
    })
}

/// The grade of `sum / counted` out of `max`: the first band (bands are descending) with
/// `sum / (counted · max) ≥ min_basis_points / 10000`, compared exactly as
/// `sum · 10000 ≥ min_basis_points · counted · max`. `None` below the lowest band.
pub fn grade(sum: i64, counted: i64, max: i64, bands: &[Band]) -> Option<String> {
    if counted <= 0 || max <= 0 {
        return None;
    }
    let lhs = i128::from(sum) * 10_000;
    bands
        .iter()
        .find(|b| lhs >= i128::from(b.min_basis_points) * i128::from(counted) * i128::from(max))
        .map(|b| b.grade.trim().to_owned())
}

/// `floor(sum · 10000 / (counted · max))`: the percentage in basis points, rounded down (for
/// display; grading uses [`grade`]).
pub fn basis_points_floor(sum: i64, counted: i64, max: i64) -> i64 {
    let den = i128::from(counted) * i128::from(max);
    if den <= 0 {
        return 0;
    }
    i64::try_from((i128::from(sum) * 10_000).div_euclid(den)).unwrap_or(0)
}

/// Formats hundredths as a decimal with two places: `9000` → `"90.00"`, `-5` → `"-0.05"`.
pub fn format_hundredths(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// Formats the rational `num / den` hundredths rounded down to two places (`num / den` ≥ 0).
pub fn format_mean(num: i64, den: i64) -> String {
    if den <= 0 {
        return format_hundredths(0);
    }
    format_hundredths(num.div_euclid(den))
}

/// One indicator node as received (scores in hundredths).
#[derive(Debug, Clone)]
pub struct Node<'a> {
    /// JSON path for errors (e.g. `indicators[0].children[1]`).
    pub path: String,
    /// Code.
    pub code: &'a str,
    /// Weight.
    pub weight: i64,
    /// Maximum.
    pub max_score: i64,
    /// Sum of the children's maxima, `None` for a leaf.
    pub children_max: Option<i64>,
}

/// Checks one node of an indicator tree: weight 1–1000, maximum 1–100000000 hundredths, code
/// 1–32 characters of letters, digits, `.`, `-`, `_`; a parent's maximum equals the sum of its
/// children's maxima (the rule chosen so that a total is the plain sum of the leaf scores).
/// Returns `(field, code, message)` issues.
pub fn check_node(n: &Node<'_>) -> Vec<(String, &'static str, String)> {
    let mut out = Vec::new();
    let code_ok = !n.code.is_empty()
        && n.code.chars().count() <= 32
        && n.code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if !code_ok {
        out.push((
            format!("{}.code", n.path),
            "indicator_code_format",
            "1-32 characters of letters, digits, '.', '-', '_'".to_owned(),
        ));
    }
    if !(1..=1000).contains(&n.weight) {
        out.push((
            format!("{}.weight", n.path),
            "weight_range",
            "weight must be 1 to 1000".to_owned(),
        ));
    }
    if !(1..=100_000_000).contains(&n.max_score) {
        out.push((
            format!("{}.max_score", n.path),
            "max_score_range",
            "max_score must be 1 to 100000000 hundredths".to_owned(),
        ));
    }
    if let Some(sum) = n.children_max
        && sum != n.max_score
    {
        out.push((
            format!("{}.max_score", n.path),
            "children_max_mismatch",
            format!(
                "max_score {} must equal the sum of the children's maxima {}",
                format_hundredths(n.max_score),
                format_hundredths(sum)
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use IncubationStatus::{Applied, Graduated, Incubating, Withdrawn};

    #[test]
    fn incubation_moves_forward_only() {
        let table = [
            (Applied, Incubating, true),
            (Incubating, Graduated, true),
            (Applied, Withdrawn, true),
            (Incubating, Withdrawn, true),
            (Applied, Graduated, false),
            (Graduated, Incubating, false),
            (Graduated, Withdrawn, false),
            (Withdrawn, Applied, false),
            (Incubating, Applied, false),
            (Applied, Applied, false),
        ];
        for (from, to, ok) in table {
            assert_eq!(
                incubation_transition_allowed(from, to),
                ok,
                "{from:?} → {to:?}"
            );
        }
    }

    #[test]
    fn civil_affairs_prefixes() {
        for (u, ok) in [
            ("51320100MJ0000000X", true),
            ("52320100MJ0000000X", true),
            ("53320100MJ0000000X", true),
            ("59320100MJ0000000X", true),
            ("54320100MJ0000000X", false),
            ("91320100MJ0000000X", false),
            ("", false),
        ] {
            assert_eq!(is_civil_affairs_uscc(u), ok, "{u}");
        }
    }

    #[test]
    fn bands_are_compared_exactly_at_the_edges() {
        let b = default_bands();
        // (sum, counted, max, grade)
        let table: [(i64, i64, i64, Option<&str>); 10] = [
            (9000, 1, 10000, Some("5A")),
            (8999, 1, 10000, Some("4A")),
            (8000, 1, 10000, Some("4A")),
            (7999, 1, 10000, Some("3A")),
            (5000, 1, 10000, Some("1A")),
            (4999, 1, 10000, None),
            (0, 1, 10000, None),
            (10000, 1, 10000, Some("5A")),
            // mean 26999/3 = 8999.67 hundredths of 10000: 89.9967 % → 4A
            (26999, 3, 10000, Some("4A")),
            // mean 27000/3 = 9000 → exactly 90 % → 5A
            (27000, 3, 10000, Some("5A")),
        ];
        for (sum, counted, max, g) in table {
            assert_eq!(
                grade(sum, counted, max, &b).as_deref(),
                g,
                "{sum}/{counted} of {max}"
            );
        }
    }

    #[test]
    fn aggregation_trims_only_from_five_reviewers() {
        // (totals, trim, counted, sum)
        let table: [(&[i64], bool, i64, i64); 6] = [
            (&[9000], true, 1, 9000),
            (&[8000, 9000, 10000, 7000], true, 4, 34000),
            (&[8000, 9000, 10000, 7000, 0], true, 3, 24000),
            (&[8000, 9000, 10000, 7000, 0], false, 5, 34000),
            (&[5000, 5000, 5000, 5000, 5000, 5000], true, 4, 20000),
            (&[1, 2, 3, 4, 5, 6, 7], true, 5, 20),
        ];
        for (totals, trim, counted, sum) in table {
            let a = aggregate(totals, trim).unwrap();
            assert_eq!((a.counted, a.sum), (counted, sum), "{totals:?} trim={trim}");
            assert_eq!(a.reviewer_count, totals.len() as i64);
        }
        assert!(aggregate(&[], true).is_none());
    }

    #[test]
    fn formatting_and_percentages() {
        assert_eq!(format_hundredths(9000), "90.00");
        assert_eq!(format_hundredths(5), "0.05");
        assert_eq!(format_hundredths(-5), "-0.05");
        assert_eq!(format_mean(26999, 3), "89.99");
        assert_eq!(basis_points_floor(26999, 3, 10000), 8999);
        assert_eq!(basis_points_floor(9000, 1, 10000), 9000);
    }

    #[test]
    fn band_checks() {
        assert!(check_bands(&default_bands()).is_ok());
        let mut b = default_bands();
        b.swap(0, 1);
        assert!(check_bands(&b).is_err());
        assert!(check_bands(&[]).is_err());
    }

    #[test]
    fn parent_maximum_must_equal_children_sum() {
        let n = Node {
            path: "indicators[0]".into(),
            code: "A",
            weight: 40,
            max_score: 4000,
            children_max: Some(3900),
        };
        assert_eq!(check_node(&n)[0].1, "children_max_mismatch");
        let ok = Node {
            children_max: Some(4000),
            ..n
        };
        assert!(check_node(&ok).is_empty());
    }
}
