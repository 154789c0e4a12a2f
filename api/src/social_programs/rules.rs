//! Pure rules of the social-programs module: tag normalisation, the exact mean score and its
//! ordering, years since registration, and day-range overlap. No clock, no I/O.

use std::cmp::Ordering;

use chrono::{Months, NaiveDate};

/// Most tags on one library entry.
pub const MAX_TAGS: usize = 10;

/// Longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 32;

/// Normalises a free-string tag: trimmed, runs of whitespace collapsed to one space, ASCII
/// letters lower-cased (Chinese text is unchanged), so that `" Reading  Club"` and
/// `"reading club"` are the same tag.
///
/// # Errors
/// `tag_format` when empty, longer than 32 characters or containing control characters.
pub fn normalise_tag(raw: &str) -> Result<String, &'static str> {
    let t = raw
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase();
    if t.is_empty() || t.chars().count() > MAX_TAG_CHARS || t.chars().any(char::is_control) {
        return Err("tag_format");
    }
    Ok(t)
}

/// Exact mean of integer scores as a fraction `(sum, count)`; `None` without scores.
pub fn mean(scores: &[i32]) -> Option<(i64, u64)> {
    if scores.is_empty() {
        return None;
    }
    Some((
        scores.iter().map(|s| i64::from(*s)).sum(),
        scores.len() as u64,
    ))
}

/// Compares two exact means `a.0 / a.1` and `b.0 / b.1` by cross-multiplication (counts are
/// positive), so that 86⅔ ranks above 86.66 with no rounding.
pub fn cmp_mean(a: (i64, u64), b: (i64, u64)) -> Ordering {
    let l = i128::from(a.0) * i128::from(b.1);
    let r = i128::from(b.0) * i128::from(a.1);
    l.cmp(&r)
}

/// A mean as a decimal string with two places, rounded half up: `(260, 3)` → `86.67`.
pub fn mean_display((sum, count): (i64, u64)) -> String {
    let count = i128::from(count.max(1));
    let hundredths = (i128::from(sum) * 200 + count) / (2 * count);
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// Whether an organization registered on `registered_on` has been registered at least `years`
/// whole years on `today` (the anniversary day counts; 29 February anniversaries fall on
/// 28 February in common years).
pub fn registered_for_years(registered_on: NaiveDate, years: u32, today: NaiveDate) -> bool {
    registered_on
        .checked_add_months(Months::new(years.saturating_mul(12)))
        .is_some_and(|anniversary| anniversary <= today)
}

/// Whether two inclusive day ranges overlap; `None` as an end is open-ended.
pub fn days_overlap(
    a_start: NaiveDate,
    a_end: Option<NaiveDate>,
    b_start: NaiveDate,
    b_end: Option<NaiveDate>,
) -> bool {
    a_end.is_none_or(|e| b_start <= e) && b_end.is_none_or(|e| a_start <= e)
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn tags_are_trimmed_collapsed_and_lower_cased() {
        assert_eq!(normalise_tag("  Reading \t Club ").unwrap(), "reading club");
        assert_eq!(normalise_tag("留守儿童").unwrap(), "留守儿童");
        assert_eq!(normalise_tag("   "), Err("tag_format"));
        assert_eq!(normalise_tag(&"x".repeat(33)), Err("tag_format"));
        assert!(normalise_tag(&"字".repeat(32)).is_ok());
    }

    #[test]
    fn means_are_exact_fractions() {
        assert_eq!(mean(&[]), None);
        let a = mean(&[90, 85, 85]).unwrap(); // 86.666…
        let b = (8666, 100); // 86.66
        assert_eq!(cmp_mean(a, b), Ordering::Greater);
        assert_eq!(cmp_mean((260, 3), (520, 6)), Ordering::Equal);
        assert_eq!(mean_display(a), "86.67");
        assert_eq!(mean_display((100, 1)), "100.00");
        assert_eq!(mean_display((1, 8)), "0.13"); // 0.125 rounds half up
        assert_eq!(mean_display((0, 2)), "0.00");
    }

    #[test]
    fn registration_years_count_from_the_anniversary() {
        assert!(registered_for_years(d("2024-03-01"), 2, d("2026-03-01")));
        assert!(!registered_for_years(d("2024-03-01"), 2, d("2026-02-28")));
        assert!(registered_for_years(d("2024-02-29"), 1, d("2025-02-28")));
        assert!(registered_for_years(d("2026-01-01"), 0, d("2026-01-01")));
    }

    #[test]
    fn day_ranges_overlap_inclusively() {
        assert!(days_overlap(
            d("2026-01-01"),
            Some(d("2026-01-31")),
            d("2026-01-31"),
            None
        ));
        assert!(!days_overlap(
            d("2026-01-01"),
            Some(d("2026-01-31")),
            d("2026-02-01"),
            None
        ));
        assert!(days_overlap(d("2026-03-01"), None, d("2026-01-01"), None));
        assert!(!days_overlap(
            d("2026-03-01"),
            None,
            d("2026-01-01"),
            Some(d("2026-02-28"))
        ));
    }
}
