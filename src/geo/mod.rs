//! Geometry shared by every stage: bounds (one bbox type for the whole crate).

pub mod bounds;
