//! The reach engine: multimodal search, travel-time bands, isochrone polygons, reached features
//! and plan-target checks.
