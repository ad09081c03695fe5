//! Writers of the answers' formats, one per format: GeoJSON here (the accessibility outputs,
//! CSV and GeoTIFF, live with `access` for now).

pub mod geojson;
