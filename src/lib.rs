//! cityreach: a city's planning features, its transport network, and the question planners ask
//! of both — what can be reached from here within N minutes?
//!
//! Data flows one way: files → [`catalog`] + [`network`] (built once, immutable) → [`reach`]
//! (pure functions over them) → [`server`] and [`cli`] (formatting only).

pub mod access;
pub mod analysis;
pub mod catalog;
pub mod city;
pub mod cli;
pub mod dataset;
pub mod gazetteer;
pub mod geo;
pub mod network;
pub mod output;
pub mod reach;
pub mod routing;
pub mod scenario;
pub mod server;

// Moved into `geo/`; kept at their old paths for callers.
pub use crate::geo::{crs, geodesy, raster};

pub use catalog::{Catalog, Feature, FeatureKind, Status};
pub use city::City;
pub use dataset::DataSource;
