//! sea-orm entities of the youth volunteer platform: one module per table, plus the active enums
//! they use. No HTTP types live here; response shapes are decided in the `api` crate.

pub mod account;
pub mod audit_log;
pub mod enums;
pub mod number_sequence;
pub mod organization;
pub mod organization_closure;
pub mod project;
pub mod refresh_token;
pub mod region;
pub mod shift;
pub mod signup;
pub mod volunteer;
pub mod volunteer_membership;
