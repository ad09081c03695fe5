//! Geometry shared by every stage: bounds (one bbox type for the whole crate), the CRSs answers
//! can be given in, geodesy (distances, local frames) and the travel-time raster.

pub mod bounds;
pub mod crs;
pub mod geodesy;
pub mod raster;
