//! Mutual recognition: signed record documents, other platforms' keys, verification, imported records (issue 7).
