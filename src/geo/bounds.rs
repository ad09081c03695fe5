//! The one bounding-box type of the crate, below everything that reads or checks a box.

use std::fmt;

/// A city's bounding box in WGS-84 degrees. Positions outside it are data errors (most often
/// swapped or mistyped coordinates).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CityBounds {
    pub min_lon: f64,
    pub min_lat: f64,
    pub max_lon: f64,
    pub max_lat: f64,
}

impl CityBounds {
    /// The Zhengzhou municipality, the embedded default city.
    pub const ZHENGZHOU: CityBounds = CityBounds {
        min_lon: 112.70,
        min_lat: 34.25,
        max_lon: 114.23,
        max_lat: 35.00,
    };

    /// No box at all: any valid WGS-84 coordinate (a data folder without `city.toml`).
    pub const WORLD: CityBounds = CityBounds {
        min_lon: -180.0,
        min_lat: -90.0,
        max_lon: 180.0,
        max_lat: 90.0,
    };

    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        (self.min_lon..=self.max_lon).contains(&lon) && (self.min_lat..=self.max_lat).contains(&lat)
    }
}

impl Default for CityBounds {
    fn default() -> Self {
        CityBounds::ZHENGZHOU
    }
}

impl fmt::Display for CityBounds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "lon {}..{}, lat {}..{}",
            self.min_lon, self.max_lon, self.min_lat, self.max_lat
        )
    }
}
