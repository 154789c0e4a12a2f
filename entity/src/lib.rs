//! sea-orm entities of the youth volunteer platform: one module per table, plus the active enums
//! they use. No HTTP types live here; response shapes are decided in the `api` crate.

pub mod account;
pub mod attendance;
pub mod audit_log;
pub mod calendar_day;
pub mod certificate;
pub mod certificate_record;
pub mod course;
pub mod enums;
pub mod instructor;
pub mod level_certification;
pub mod number_sequence;
pub mod organization;
pub mod organization_closure;
pub mod organization_year_total;
pub mod project;
pub mod refresh_token;
pub mod region;
pub mod rule_set;
pub mod service_record;
pub mod shift;
pub mod signup;
pub mod training_attendance;
pub mod training_class;
pub mod training_class_instructor;
pub mod training_enrolment;
pub mod training_record;
pub mod training_setting;
pub mod volunteer;
pub mod volunteer_level;
pub mod volunteer_membership;
pub mod volunteer_qualification;
pub mod volunteer_total;
pub mod volunteer_year_total;
