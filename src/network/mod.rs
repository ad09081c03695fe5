//! The transport network: street legs (an imported OSM graph, or the crow-fly proxy) and
//! transit (GTFS plus scenario overlays).

pub mod gtfs;
pub mod scenario;
pub mod streets;
pub mod timetable;
pub mod transit;

pub use streets::{Seed, StreetField, StreetMode, StreetModel, StreetModelInfo, StreetTime};
