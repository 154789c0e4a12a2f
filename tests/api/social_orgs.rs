//! Youth social organizations: registry, incubation, rating templates, rating rounds, grades (issue 6).
