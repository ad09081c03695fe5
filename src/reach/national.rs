//! National circles: China's prefecture-level cities seen from Zhengzhou (`national.geojson`),
//! with modelled rail and road hours and a block-time model for flights, and the readings the
//! plan's national targets need (share of cities and of people within a time, the neighbouring
//! provincial capitals).

use crate::dataset::{DataSource, DataSourceError};
use serde::Serialize;
use serde_json::Value;

/// The file name of the national layer inside a data folder.
pub const NATIONAL_FILE: &str = "national.geojson";

/// How the hours of each mode were obtained; printed with every reading.
pub const RAIL_ASSUMPTION: &str = "rail: modelled 2024 passenger-rail hours between prefecture centroids (Ma & Tang 2024, shortest paths over a 0.5 km raster at each line's design speed; no timetables, waits or station access; short links come out too long); a city without a value is more than 2.7 h away";
pub const ROAD_ASSUMPTION: &str = "road: modelled 2024 road hours between prefecture centroids (same source and method as rail); a city without a value is not within reach of 2.5 h";
pub const AIR_ASSUMPTION: &str = "air: block time from 新郑国际机场 to the airport nearest the city's centroid = 30 min (taxi, climb, approach) + great-circle distance at 750 km/h; airports with an IATA code from the airportsdata package; no airport within 150 km = no air reading; ground access to and from the airports is not counted; cities whose nearest airport is 新郑 count as 0 h";
pub const POPULATION_ASSUMPTION: &str = "cities and people: the 279 prefecture-level units of the source (Zhengzhou included, at 0 h) with their 2010 census populations, 1,218.8 million in all";

#[derive(Debug, thiserror::Error)]
pub enum NationalError {
    #[error(transparent)]
    Data(#[from] DataSourceError),
    #[error("{file}: not valid GeoJSON: {message}")]
    Parse { file: String, message: String },
    #[error("{file}: feature {index}: {message}")]
    Invalid {
        file: String,
        index: usize,
        message: String,
    },
}

/// One prefecture-level city.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NationalCity {
    pub dzcode: String,
    pub name_zh: String,
    pub name_en: String,
    pub capital: bool,
    pub neighbour_capital: bool,
    pub origin: bool,
    pub population_2010: u64,
    pub rail_h: Option<f64>,
    pub road_h: Option<f64>,
    pub air_h: Option<f64>,
    pub lonlat: [f64; 2],
}

/// A travel mode of the national readings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NationalMode {
    Rail,
    Road,
    Air,
}

impl NationalMode {
    pub const ALL: [NationalMode; 3] = [NationalMode::Rail, NationalMode::Road, NationalMode::Air];

    pub fn hours(self, c: &NationalCity) -> Option<f64> {
        match self {
            NationalMode::Rail => c.rail_h,
            NationalMode::Road => c.road_h,
            NationalMode::Air => c.air_h,
        }
    }

    pub fn assumption(self) -> &'static str {
        match self {
            NationalMode::Rail => RAIL_ASSUMPTION,
            NationalMode::Road => ROAD_ASSUMPTION,
            NationalMode::Air => AIR_ASSUMPTION,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            NationalMode::Rail => "rail",
            NationalMode::Road => "road",
            NationalMode::Air => "air",
        }
    }
}

/// The share of cities and of people within `max_hours` by one mode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CircleReading {
    pub mode: NationalMode,
    pub max_hours: f64,
    pub cities_within: usize,
    pub cities_total: usize,
    pub city_share: f64,
    pub population_within: u64,
    pub population_total: u64,
    pub population_share: f64,
    pub meets_city_share: bool,
    pub meets_population_share: bool,
}

/// One neighbouring provincial capital with its hours by each mode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapitalReading {
    pub name_zh: String,
    pub name_en: String,
    pub rail_h: Option<f64>,
    pub road_h: Option<f64>,
    pub air_h: Option<f64>,
}

/// The national layer.
#[derive(Debug, Clone, PartialEq)]
pub struct National {
    pub cities: Vec<NationalCity>,
}

fn hours_prop(v: Option<&Value>) -> Result<Option<f64>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(x) => match x.as_f64() {
            Some(h) if h.is_finite() && h >= 0.0 => Ok(Some(h)),
            _ => Err("hours must be null or a non-negative number".into()),
        },
    }
}

impl National {
    pub fn from_geojson_str(text: &str, file: &str) -> Result<National, NationalError> {
        let doc: Value = serde_json::from_str(text).map_err(|e| NationalError::Parse {
            file: file.to_string(),
            message: e.to_string(),
        })?;
        let items = doc
            .get("features")
            .and_then(Value::as_array)
            .ok_or_else(|| NationalError::Parse {
                file: file.to_string(),
                message: "no `features` array".into(),
            })?;
        let mut cities = Vec::with_capacity(items.len());
        for (index, f) in items.iter().enumerate() {
            let invalid = |message: String| NationalError::Invalid {
                file: file.to_string(),
                index,
                message,
            };
            let p = f
                .get("properties")
                .ok_or_else(|| invalid("no properties".into()))?;
            let text = |k: &str| {
                p.get(k)
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| invalid(format!("`{k}` must be a string")))
            };
            let flag = |k: &str| p.get(k).and_then(Value::as_bool).unwrap_or(false);
            let coords = f
                .pointer("/geometry/coordinates")
                .and_then(Value::as_array)
                .filter(|c| c.len() == 2)
                .and_then(|c| Some([c[0].as_f64()?, c[1].as_f64()?]))
                .filter(|c| (-180.0..=180.0).contains(&c[0]) && (-90.0..=90.0).contains(&c[1]))
                .ok_or_else(|| invalid("geometry must be a Point with lon, lat in range".into()))?;
            let population_2010 = p
                .get("population_2010")
                .and_then(Value::as_u64)
                .ok_or_else(|| {
                    invalid("`population_2010` must be a non-negative integer".into())
                })?;
            cities.push(NationalCity {
                dzcode: text("dzcode")?,
                name_zh: text("name_zh")?,
                name_en: text("name_en")?,
                capital: flag("capital"),
                neighbour_capital: flag("neighbour_capital"),
                origin: flag("origin"),
                population_2010,
                rail_h: hours_prop(p.get("rail_h")).map_err(|m| invalid(format!("rail_h: {m}")))?,
                road_h: hours_prop(p.get("road_h")).map_err(|m| invalid(format!("road_h: {m}")))?,
                air_h: hours_prop(p.get("air_h")).map_err(|m| invalid(format!("air_h: {m}")))?,
                lonlat: coords,
            });
        }
        Ok(National { cities })
    }

    /// Loads `national.geojson` of a data source if it has one (`Ok(None)` when absent).
    pub fn load(source: &DataSource) -> Result<Option<National>, NationalError> {
        if !source.exists(NATIONAL_FILE) {
            return Ok(None);
        }
        let text = source.read_to_string(NATIONAL_FILE)?;
        Self::from_geojson_str(&text, &source.label(NATIONAL_FILE)).map(Some)
    }

    pub fn population_total(&self) -> u64 {
        self.cities.iter().map(|c| c.population_2010).sum()
    }

    /// Cities and people within `max_hours` by `mode`; a city without a reading is outside.
    pub fn circle(
        &self,
        mode: NationalMode,
        max_hours: f64,
        min_city_share: f64,
        min_population_share: f64,
    ) -> CircleReading {
        let within: Vec<&NationalCity> = self
            .cities
            .iter()
            .filter(|c| mode.hours(c).is_some_and(|h| h <= max_hours + 1e-9))
            .collect();
        let cities_total = self.cities.len();
        let population_total = self.population_total();
        let population_within: u64 = within.iter().map(|c| c.population_2010).sum();
        let share = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
        let city_share = share(within.len() as f64, cities_total as f64);
        let population_share = share(population_within as f64, population_total as f64);
        CircleReading {
            mode,
            max_hours,
            cities_within: within.len(),
            cities_total,
            city_share,
            population_within,
            population_total,
            population_share,
            meets_city_share: city_share + 1e-12 >= min_city_share,
            meets_population_share: population_share + 1e-12 >= min_population_share,
        }
    }

    /// The provincial capitals of the provinces bordering Henan.
    pub fn neighbour_capitals(&self) -> Vec<CapitalReading> {
        self.cities
            .iter()
            .filter(|c| c.neighbour_capital)
            .map(|c| CapitalReading {
                name_zh: c.name_zh.clone(),
                name_en: c.name_en.clone(),
                rail_h: c.rail_h,
                road_h: c.road_h,
                air_h: c.air_h,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn city(code: &str, pop: u64, rail: Value, air: Value, neighbour: bool) -> String {
        format!(
            r#"{{"type":"Feature","geometry":{{"type":"Point","coordinates":[113.0,34.0]}},"properties":{{"dzcode":"{code}","name_zh":"市{code}","name_en":"C{code}","capital":{neighbour},"neighbour_capital":{neighbour},"population_2010":{pop},"rail_h":{rail},"road_h":null,"air_h":{air}}}}}"#
        )
    }

    fn sample() -> National {
        let text = format!(
            r#"{{"features":[{},{},{},{}]}}"#,
            city("1", 100, Value::from(0.0), Value::from(0.0), false),
            city("2", 300, Value::from(1.5), Value::from(1.2), true),
            city("3", 400, Value::from(2.1), Value::from(1.6), true),
            city("4", 200, Value::Null, Value::Null, false)
        );
        National::from_geojson_str(&text, "n.geojson").unwrap()
    }

    #[test]
    fn circle_counts_cities_and_people_at_the_threshold() {
        let n = sample();
        let r = n.circle(NationalMode::Rail, 1.5, 2.0 / 3.0, 0.6);
        // 1.5 h itself is within; a city without a reading is outside.
        assert_eq!((r.cities_within, r.cities_total), (2, 4));
        assert_eq!((r.population_within, r.population_total), (400, 1000));
        assert!((r.city_share - 0.5).abs() < 1e-12 && (r.population_share - 0.4).abs() < 1e-12);
        assert!(!r.meets_city_share && !r.meets_population_share);
        let a = n.circle(NationalMode::Air, 2.0, 0.75, 0.8);
        assert_eq!((a.cities_within, a.population_within), (3, 800));
        assert!(a.meets_city_share && a.meets_population_share);
        let road = n.circle(NationalMode::Road, 10.0, 0.1, 0.1);
        assert_eq!(road.cities_within, 0);
    }

    #[test]
    fn neighbour_capitals_carry_every_reading() {
        let caps = sample().neighbour_capitals();
        assert_eq!(caps.len(), 2);
        assert_eq!(caps[1].rail_h, Some(2.1));
        assert_eq!(caps[1].air_h, Some(1.6));
        assert_eq!(caps[0].road_h, None);
    }

    #[test]
    fn bad_hours_name_the_feature() {
        let text = format!(
            r#"{{"features":[{}]}}"#,
            city("9", 1, Value::from(-1.0), Value::Null, false)
        );
        let e = National::from_geojson_str(&text, "n.geojson")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("n.geojson") && e.contains("feature 0") && e.contains("rail_h"),
            "{e}"
        );
    }
}
