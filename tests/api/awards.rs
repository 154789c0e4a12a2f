//! Award campaigns, credit list with consent, partner benefits (issue 5).
