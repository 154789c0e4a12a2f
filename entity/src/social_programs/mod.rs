//! Entities of the project library, case library, micro-grant calls (微创投), youth homes and
//! youth social workers (青少年事务社工) (issue 6, part B). One file per table, plus the enums
//! they use.

pub mod enums;
pub mod grant_call;
pub mod grant_proposal;
pub mod grant_review;
pub mod library_entry;
pub mod library_entry_tag;
pub mod social_worker;
pub mod social_worker_assignment;
