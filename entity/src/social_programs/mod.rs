//! Entities of project library, case library, micro-grant calls, youth homes and youth social workers (issue 6).
