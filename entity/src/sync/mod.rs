//! Entities of change feed and webhooks for partner platforms (issue 7).
