//! Analyses over the routing engines: the plan comparison.

pub mod compare;
