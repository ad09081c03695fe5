//! Transit searches: the steady-state (frequency-based) search.

pub mod frequency;
