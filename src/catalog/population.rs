//! Residents per district (`population.geojson`): census counts on district outlines, spread
//! uniformly over each district's area. Accessibility uses it as opportunities (the people
//! inside a cell) and summaries as weights.

use super::districts::{districts_from_geojson_str, District};
use super::load::{feature_array, parse_json, Issues};
use super::model::CityBounds;
use super::CatalogError;
use crate::dataset::DataSource;
use geo::{Contains, GeodesicArea, Point};
use serde_json::Value;

/// The file name of the population layer inside a data folder.
pub const POPULATION_FILE: &str = "population.geojson";

/// One district with its census count.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationArea {
    pub district: District,
    /// Residents at the census.
    pub population: u64,
    pub census_year: i32,
    /// How the count was put on this outline when the census unit is not the outline itself
    /// (functional zones merged back); `None` when the file does not say.
    pub method: Option<String>,
    /// Area of the outline on the WGS-84 ellipsoid, km².
    pub area_km2: f64,
}

impl PopulationArea {
    /// Residents per km², uniform over the district.
    pub fn density_per_km2(&self) -> f64 {
        if self.area_km2 > 0.0 {
            self.population as f64 / self.area_km2
        } else {
            0.0
        }
    }
}

/// The population layer of a city.
#[derive(Debug, Clone, PartialEq)]
pub struct Population {
    pub areas: Vec<PopulationArea>,
}

impl Population {
    /// Parses a population FeatureCollection: district outlines (validated as districts are)
    /// with a non-negative integer `population` and a `census_year`.
    pub fn from_geojson_str(
        text: &str,
        file_label: &str,
        bounds: &CityBounds,
    ) -> Result<Population, CatalogError> {
        let districts = districts_from_geojson_str(text, file_label, bounds)?;
        let doc = parse_json(text, file_label)?;
        let items = feature_array(&doc, file_label)?;
        let mut issues = Issues::new(file_label);
        let mut areas = Vec::with_capacity(districts.len());
        for (index, (item, district)) in items.iter().zip(districts).enumerate() {
            let props = item.get("properties");
            let get = |k: &str| props.and_then(|p| p.get(k));
            let population = get("population").and_then(Value::as_u64);
            if population.is_none() {
                issues.push(
                    index,
                    &district.adcode,
                    "population",
                    "missing or not a non-negative integer",
                );
            }
            let census_year = get("census_year")
                .and_then(Value::as_i64)
                .and_then(|y| i32::try_from(y).ok())
                .filter(|y| (1950..=2100).contains(y));
            if census_year.is_none() {
                issues.push(
                    index,
                    &district.adcode,
                    "census_year",
                    "missing or not a year",
                );
            }
            let method = get("method").and_then(Value::as_str).map(str::to_string);
            if let (Some(population), Some(census_year)) = (population, census_year) {
                let area_km2 = district.geometry.geodesic_area_unsigned() / 1e6;
                areas.push(PopulationArea {
                    district,
                    population,
                    census_year,
                    method,
                    area_km2,
                });
            }
        }
        issues.into_result(Population { areas })
    }

    /// Loads `population.geojson` of a data source if it has one (`Ok(None)` when absent).
    pub fn load(
        source: &DataSource,
        bounds: &CityBounds,
    ) -> Result<Option<Population>, CatalogError> {
        if !source.exists(POPULATION_FILE) {
            return Ok(None);
        }
        let text = source.read_to_string(POPULATION_FILE)?;
        Self::from_geojson_str(&text, &source.label(POPULATION_FILE), bounds).map(Some)
    }

    /// Everyone in the layer.
    pub fn total(&self) -> u64 {
        self.areas.iter().map(|a| a.population).sum()
    }

    /// The district a point lies in, if any.
    pub fn area_at(&self, lon: f64, lat: f64) -> Option<&PopulationArea> {
        let p = Point::new(lon, lat);
        self.areas.iter().find(|a| a.district.geometry.contains(&p))
    }

    /// Residents per km² at a point (0 outside every district).
    pub fn density_at(&self, lon: f64, lat: f64) -> f64 {
        self.area_at(lon, lat)
            .map_or(0.0, PopulationArea::density_per_km2)
    }

    /// Residents of a small cell centred at (lon, lat) with the given area: the density at its
    /// centre times its area, the uniform spread the layer states.
    pub fn people_in_cell(&self, lon: f64, lat: f64, cell_km2: f64) -> f64 {
        self.density_at(lon, lat) * cell_km2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORLD: CityBounds = CityBounds {
        min_lon: -180.0,
        min_lat: -90.0,
        max_lon: 180.0,
        max_lat: 90.0,
    };

    fn square(adcode: &str, x0: f64, pop: Value) -> String {
        format!(
            r#"{{"type":"Feature","geometry":{{"type":"Polygon","coordinates":[[[{x0},0],[{x1},0],[{x1},0.1],[{x0},0.1],[{x0},0]]]}},
               "properties":{{"adcode":"{adcode}","name_zh":"区","name_en":"D","population":{pop},"census_year":2010}}}}"#,
            x1 = x0 + 0.1
        )
    }

    #[test]
    fn density_is_uniform_inside_and_zero_outside() {
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[{},{}]}}"#,
            square("1", 0.0, Value::from(123_000)),
            square("2", 0.1, Value::from(0))
        );
        let p = Population::from_geojson_str(&text, "t", &WORLD).unwrap();
        assert_eq!(p.total(), 123_000);
        // A 0.1° square at the equator: 11.13 km × 11.06 km on the ellipsoid.
        let a = &p.areas[0];
        assert!((a.area_km2 - 123.1).abs() < 0.5, "{}", a.area_km2);
        let d = p.density_at(0.05, 0.05);
        assert!((d - 123_000.0 / a.area_km2).abs() < 1e-9);
        assert_eq!(p.density_at(0.15, 0.05), 0.0);
        assert_eq!(p.density_at(1.0, 1.0), 0.0);
        assert!((p.people_in_cell(0.05, 0.05, 0.01) - d * 0.01).abs() < 1e-9);
    }

    #[test]
    fn the_method_is_read_when_given_and_none_when_not() {
        let with = square("1", 0.0, Value::from(5)).replace(
            r#""census_year":2010"#,
            r#""census_year":2020,"method":"district plus a zone""#,
        );
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[{with},{}]}}"#,
            square("2", 0.1, Value::from(7))
        );
        let p = Population::from_geojson_str(&text, "t", &WORLD).unwrap();
        assert_eq!(p.areas[0].method.as_deref(), Some("district plus a zone"));
        assert_eq!(p.areas[0].census_year, 2020);
        assert_eq!(p.areas[1].method, None);
    }

    #[test]
    fn a_missing_or_negative_count_names_the_district() {
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[{},{}]}}"#,
            square("7", 0.0, Value::from(-5)),
            square("8", 0.1, Value::Null)
        );
        let e = Population::from_geojson_str(&text, "pop.geojson", &WORLD)
            .unwrap_err()
            .to_string();
        assert!(e.contains("pop.geojson") && e.contains("population"), "{e}");
        assert!(e.contains('7') && e.contains('8'), "{e}");
    }
}
