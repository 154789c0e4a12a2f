//! Pure rules of projects, shifts and sign-ups: no clock, no I/O (pass `now` in). Sources:
//! DESIGN.md §3 "Projects, shifts, attendance" and issue 3.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::enums::{ProjectStatus, SignupStatus};

use crate::error::FieldIssue;

/// Micro-degrees per degree: coordinates are stored as integers (no floats in the database).
pub const MICRO: f64 = 1_000_000.0;

/// Mean Earth radius in metres (IUGG), used by [`haversine_m`].
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Longest shift: 24 hours (the same bound as one service record, issue 3).
pub const MAX_SHIFT_MINUTES: i64 = 24 * 60;

/// Age of majority in the platform time zone (民法典 Art. 17): under 18 is a minor.
pub const ADULT_AGE: u32 = 18;

/// Sign-up statuses that hold or wait for a place (and so count for overlaps and duplicates).
pub const ACTIVE_SIGNUP: [SignupStatus; 3] = [
    SignupStatus::Applied,
    SignupStatus::Approved,
    SignupStatus::Waitlisted,
];

/// Converts degrees to micro-degrees after checking `|deg| <= limit` and finiteness.
pub fn micro_degrees(deg: f64, limit: f64) -> Option<i64> {
    if !deg.is_finite() || deg.abs() > limit {
        return None;
    }
    // |deg * 1e6| <= 1.8e8 fits an i64 exactly.
    #[expect(
        clippy::cast_possible_truncation,
        reason = "range checked above; rounding to whole micro-degrees is the storage format"
    )]
    Some((deg * MICRO).round() as i64)
}

/// Micro-degrees back to degrees (for responses).
#[expect(
    clippy::cast_precision_loss,
    reason = "|micro| <= 1.8e8 is exact in an f64"
)]
pub fn degrees(micro: i64) -> f64 {
    micro as f64 / MICRO
}

/// Great-circle distance in metres between two points given in micro-degrees (haversine).
pub fn haversine_m(lat1: i64, lon1: i64, lat2: i64, lon2: i64) -> f64 {
    let (p1, p2) = (degrees(lat1).to_radians(), degrees(lat2).to_radians());
    let dp = p2 - p1;
    let dl = (degrees(lon2) - degrees(lon1)).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().clamp(0.0, 1.0).asin()
}

/// A latitude/longitude box in micro-degrees; `lon` is `None` when the box would wrap around the
/// ±180° meridian or a pole (then only latitude prefilters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoundingBox {
    /// Lowest and highest latitude.
    pub lat: (i64, i64),
    /// Lowest and highest longitude, when usable.
    pub lon: Option<(i64, i64)>,
}

/// The box that contains every point within `radius_km` of (`lat`, `lon`) (micro-degrees), for a
/// cheap SQL prefilter before the exact [`haversine_m`]. One degree of latitude is at most
/// 111.7 km; we use 111.0 km to err on the generous side.
pub fn bounding_box(lat: i64, lon: i64, radius_km: f64) -> BoundingBox {
    let dlat = radius_km / 111.0;
    let lat_deg = degrees(lat);
    let lo = lat_deg - dlat;
    let hi = lat_deg + dlat;
    let to_micro = |d: f64| micro_degrees(d.clamp(-90.0, 90.0), 90.0).unwrap_or(0);
    let lat_box = (to_micro(lo), to_micro(hi));
    if lo <= -89.0 || hi >= 89.0 {
        return BoundingBox {
            lat: lat_box,
            lon: None,
        };
    }
    // The widest longitude span is at the latitude farthest from the equator.
    let cos = lo.abs().max(hi.abs()).to_radians().cos();
    let dlon = radius_km / (111.0 * cos);
    let lon_deg = degrees(lon);
    if dlon >= 180.0 || lon_deg - dlon < -180.0 || lon_deg + dlon > 180.0 {
        return BoundingBox {
            lat: lat_box,
            lon: None,
        };
    }
    let to_micro_lon = |d: f64| micro_degrees(d, 180.0).unwrap_or(0);
    BoundingBox {
        lat: lat_box,
        lon: Some((to_micro_lon(lon_deg - dlon), to_micro_lon(lon_deg + dlon))),
    }
}

/// Whether two half-open intervals `[a0, a1)` and `[b0, b1)` overlap: adjacent shifts
/// (09:00–12:00 and 12:00–15:00) do not.
pub fn overlaps<T: PartialOrd>(a0: &T, a1: &T, b0: &T, b1: &T) -> bool {
    a0 < b1 && b0 < a1
}

/// Checks a shift's interval: end after start, at most 24 hours, and its start date (platform
/// time zone) inside the project's date range.
///
/// # Errors
/// Field issues `end_before_start` / `shift_too_long` on `ends_at`, `shift_outside_project_dates`
/// on `starts_at`.
pub fn check_shift_times(
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    project_start: NaiveDate,
    project_end: NaiveDate,
    tz: Tz,
) -> Result<(), Vec<FieldIssue>> {
    let mut issues = Vec::new();
    if ends_at <= starts_at {
        issues.push(FieldIssue::new(
            "ends_at",
            "end_before_start",
            "a shift ends after it starts",
        ));
    } else if ends_at - starts_at > Duration::minutes(MAX_SHIFT_MINUTES) {
        issues.push(FieldIssue::new(
            "ends_at",
            "shift_too_long",
            "a shift lasts at most 24 hours",
        ));
    }
    let day = starts_at.with_timezone(&tz).date_naive();
    if day < project_start || day > project_end {
        issues.push(FieldIssue::new(
            "starts_at",
            "shift_outside_project_dates",
            format!(
                "the shift must start between {project_start} and {project_end} (platform time zone)"
            ),
        ));
    }
    if issues.is_empty() {
        Ok(())
    } else {
        Err(issues)
    }
}

/// A workflow action on a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectAction {
    /// draft → pending_review.
    Submit,
    /// pending_review → published.
    Approve,
    /// pending_review → draft.
    Reject,
    /// published → closed.
    Close,
    /// published → cancelled.
    Cancel,
}

/// The status a project moves to, or `None` when the action is not allowed from `from`.
pub fn transition(from: ProjectStatus, action: ProjectAction) -> Option<ProjectStatus> {
    use ProjectAction as A;
    use ProjectStatus as S;
    match (from, action) {
        (S::Draft, A::Submit) => Some(S::PendingReview),
        (S::PendingReview, A::Approve) => Some(S::Published),
        (S::PendingReview, A::Reject) => Some(S::Draft),
        (S::Published, A::Close) => Some(S::Closed),
        (S::Published, A::Cancel) => Some(S::Cancelled),
        _ => None,
    }
}

/// Why a volunteer may not sign up, as a stable code and an explanation.
pub type Refusal = (&'static str, &'static str);

/// Age rules of a sign-up: at least the project's minimum age on the shift's date, and no minors
/// on high-risk projects (DESIGN.md §3 "Minors").
///
/// # Errors
/// `below_project_min_age` or `minor_high_risk`.
pub fn check_age(age: u32, min_age: u32, high_risk: bool) -> Result<(), Refusal> {
    if age < min_age {
        return Err((
            "below_project_min_age",
            "the volunteer is younger than the project's minimum age on the shift's date",
        ));
    }
    if high_risk && age < ADULT_AGE {
        return Err((
            "minor_high_risk",
            "minors may not sign up for high-risk projects",
        ));
    }
    Ok(())
}

/// The status a new sign-up gets: `applied` when the project requires approval, otherwise
/// `approved` when a place was taken and `waitlisted` when the shift is full.
pub fn initial_status(requires_approval: bool, place_taken: bool) -> SignupStatus {
    match (requires_approval, place_taken) {
        (true, _) => SignupStatus::Applied,
        (false, true) => SignupStatus::Approved,
        (false, false) => SignupStatus::Waitlisted,
    }
}

/// Parses `near=lat,lon` (degrees) into micro-degrees.
pub fn parse_near(raw: &str) -> Option<(i64, i64)> {
    let (lat, lon) = raw.split_once(',')?;
    let lat: f64 = lat.trim().parse().ok()?;
    let lon: f64 = lon.trim().parse().ok()?;
    Some((micro_degrees(lat, 90.0)?, micro_degrees(lon, 180.0)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn micro_degrees_round_and_refuse_out_of_range() {
        assert_eq!(micro_degrees(32.0603, 90.0), Some(32_060_300));
        assert_eq!(micro_degrees(-118.7, 180.0), Some(-118_700_000));
        assert_eq!(micro_degrees(90.0000001, 90.0), None);
        assert_eq!(micro_degrees(f64::NAN, 90.0), None);
        assert_eq!(micro_degrees(f64::INFINITY, 180.0), None);
    }

    #[test]
    fn haversine_matches_known_distances() {
        // Nanjing Xinjiekou → Shanghai People's Square ≈ 270 km.
        let d = haversine_m(32_041_500, 118_784_000, 31_230_400, 121_473_700);
        assert!((265_000.0..275_000.0).contains(&d), "{d}");
        assert!(haversine_m(1, 2, 1, 2).abs() < 1e-6);
        // One degree of latitude ≈ 111.2 km.
        let one = haversine_m(0, 0, 1_000_000, 0);
        assert!((111_000.0..111_400.0).contains(&one), "{one}");
    }

    #[test]
    fn the_bounding_box_contains_the_circle() {
        let (lat, lon) = (32_041_500, 118_784_000);
        let b = bounding_box(lat, lon, 10.0);
        let (lo, hi) = b.lon.unwrap();
        // A point 9.9 km due east is inside the box.
        let east = lon + 105_000;
        assert!(haversine_m(lat, lon, lat, east) < 10_000.0);
        assert!(lo < east && east < hi);
        assert!(b.lat.0 < lat - 89_000 && b.lat.1 > lat + 89_000);
        // Near the date line the longitude prefilter is dropped.
        assert_eq!(bounding_box(0, 179_990_000, 50.0).lon, None);
        assert_eq!(bounding_box(89_900_000, 0, 50.0).lon, None);
    }

    #[test]
    fn adjacent_intervals_do_not_overlap() {
        let cases = [
            ((9, 12), (12, 15), false),
            ((9, 12), (11, 15), true),
            ((9, 12), (8, 9), false),
            ((9, 12), (10, 11), true),
            ((9, 12), (9, 12), true),
        ];
        for ((a0, a1), (b0, b1), want) in cases {
            assert_eq!(overlaps(&a0, &a1, &b0, &b1), want, "{a0}-{a1} vs {b0}-{b1}");
        }
    }

    #[test]
    fn shift_times_are_checked_in_the_platform_time_zone() {
        let tz = chrono_tz::Asia::Shanghai;
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let ok = check_shift_times(
            utc("2026-12-01T01:00:00Z"),
            utc("2026-12-01T04:00:00Z"),
            d(2026, 12, 1),
            d(2026, 12, 1),
            tz,
        );
        assert!(ok.is_ok());
        // 2026-11-30T17:00Z is already 12-01 01:00 in Shanghai.
        assert!(
            check_shift_times(
                utc("2026-11-30T17:00:00Z"),
                utc("2026-11-30T20:00:00Z"),
                d(2026, 12, 1),
                d(2026, 12, 1),
                tz
            )
            .is_ok()
        );
        let code = |r: Result<(), Vec<FieldIssue>>| r.unwrap_err()[0].code.clone();
        assert_eq!(
            code(check_shift_times(
                utc("2026-12-01T04:00:00Z"),
                utc("2026-12-01T01:00:00Z"),
                d(2026, 12, 1),
                d(2026, 12, 1),
                tz
            )),
            "end_before_start"
        );
        assert_eq!(
            code(check_shift_times(
                utc("2026-12-01T01:00:00Z"),
                utc("2026-12-02T01:01:00Z"),
                d(2026, 12, 1),
                d(2026, 12, 3),
                tz
            )),
            "shift_too_long"
        );
        assert_eq!(
            code(check_shift_times(
                tz.with_ymd_and_hms(2026, 12, 4, 9, 0, 0)
                    .unwrap()
                    .with_timezone(&Utc),
                tz.with_ymd_and_hms(2026, 12, 4, 10, 0, 0)
                    .unwrap()
                    .with_timezone(&Utc),
                d(2026, 12, 1),
                d(2026, 12, 3),
                tz
            )),
            "shift_outside_project_dates"
        );
    }

    #[test]
    fn the_workflow_allows_only_its_transitions() {
        use ProjectAction as A;
        use ProjectStatus as S;
        assert_eq!(transition(S::Draft, A::Submit), Some(S::PendingReview));
        assert_eq!(transition(S::PendingReview, A::Approve), Some(S::Published));
        assert_eq!(transition(S::PendingReview, A::Reject), Some(S::Draft));
        assert_eq!(transition(S::Published, A::Close), Some(S::Closed));
        assert_eq!(transition(S::Published, A::Cancel), Some(S::Cancelled));
        assert_eq!(transition(S::Draft, A::Approve), None);
        assert_eq!(transition(S::Closed, A::Cancel), None);
        assert_eq!(transition(S::Cancelled, A::Submit), None);
    }

    #[test]
    fn age_rules() {
        assert!(check_age(16, 14, false).is_ok());
        assert_eq!(
            check_age(13, 14, false).unwrap_err().0,
            "below_project_min_age"
        );
        assert_eq!(check_age(17, 14, true).unwrap_err().0, "minor_high_risk");
        assert!(check_age(18, 14, true).is_ok());
    }

    #[test]
    fn initial_status_table() {
        assert_eq!(initial_status(true, false), SignupStatus::Applied);
        assert_eq!(initial_status(false, true), SignupStatus::Approved);
        assert_eq!(initial_status(false, false), SignupStatus::Waitlisted);
    }

    #[test]
    fn near_parses_degrees() {
        assert_eq!(
            parse_near("32.0415,118.784"),
            Some((32_041_500, 118_784_000))
        );
        assert_eq!(parse_near(" -1 , 2 "), Some((-1_000_000, 2_000_000)));
        assert_eq!(parse_near("91,0"), None);
        assert_eq!(parse_near("abc"), None);
    }
}
