//! A city, loaded once and shared read-only: catalog, transit network (with its scenarios
//! compiled for search), street model and plan targets.

use crate::catalog::targets::{Target, TargetError};
use crate::catalog::{Catalog, CatalogError};
use crate::dataset::{CityProfile, DataSource, DataSourceError, ProfileError};
use crate::gazetteer::Gazetteer;
use crate::network::streets::{CrowFly, StreetModel};
use crate::network::timetable::TimetableCache;
use crate::network::transit::{TransitError, TransitNetwork};
use crate::routing::transit::frequency::{TransitGraph, TransitParams};
use std::sync::Arc;

/// How far beyond its stops and features a city's area reaches, in degrees (≈ 5.5 km).
pub const AREA_MARGIN_DEG: f64 = 0.05;
/// How far beyond its street graph a city's area reaches, in degrees (≈ 550 m): about the
/// distance a point may lie from a street and still be snapped onto it.
pub const STREETS_MARGIN_DEG: f64 = 0.005;

#[derive(Debug, thiserror::Error)]
pub enum CityError {
    #[error(transparent)]
    Source(#[from] DataSourceError),
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Transit(#[from] TransitError),
    #[error(transparent)]
    Targets(#[from] TargetError),
}

/// Everything a reach query needs, immutable after loading.
pub struct City {
    pub source: DataSource,
    pub profile: CityProfile,
    pub catalog: Arc<Catalog>,
    pub transit: TransitNetwork,
    /// One compiled search graph per scenario, in `transit.scenarios` order.
    pub graphs: Vec<TransitGraph>,
    pub params: TransitParams,
    pub streets: Arc<dyn StreetModel>,
    pub targets: Vec<Target>,
    /// Place names of the features and stations, for search and origins.
    pub places: Gazetteer,
    /// The area origins must lie in: the union of the stops and features (plus
    /// [`AREA_MARGIN_DEG`]), the street graph (plus [`STREETS_MARGIN_DEG`]) and the box of
    /// `city.toml`.
    pub area: [f64; 4],
    /// Compiled service days of `transit`'s timetables.
    pub timetables: TimetableCache,
}

impl std::fmt::Debug for City {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("City")
            .field("source", &self.source)
            .field("features", &self.catalog.len())
            .field("stops", &self.transit.stops.len())
            .field("scenarios", &self.graphs.len())
            .finish()
    }
}

impl City {
    /// Loads a city with the crow-fly street proxy.
    pub fn load(source: DataSource) -> Result<City, CityError> {
        City::load_with_streets(source, Box::new(CrowFly::default()))
    }

    pub fn load_with_streets(
        source: DataSource,
        streets: Box<dyn StreetModel>,
    ) -> Result<City, CityError> {
        let profile = source.profile()?;
        let catalog = Catalog::load_from_in(&source, &profile.bounds)?;
        let transit = crate::scenario::named::load_network(&source)?;
        let targets = if source.exists("targets.toml") {
            Target::parse_all(
                &source.read_to_string("targets.toml")?,
                &source.label("targets.toml"),
            )?
        } else {
            Vec::new()
        };
        let mut city = City::assemble(source, catalog, transit, streets, targets);
        city.profile = profile;
        city.area = city.compute_area();
        Ok(city)
    }

    /// Builds a city from parts already in memory (tests, other cities' loaders).
    pub fn assemble(
        source: DataSource,
        catalog: Catalog,
        transit: TransitNetwork,
        streets: Box<dyn StreetModel>,
        targets: Vec<Target>,
    ) -> City {
        let params = TransitParams::default();
        let graphs = (0..transit.scenarios.len())
            .map(|s| TransitGraph::build(&transit, s, &params))
            .collect();
        let profile = CityProfile {
            name: "city".into(),
            name_local: None,
            bounds: crate::geo::bounds::CityBounds::WORLD,
        };
        let places = Gazetteer::build(&transit);
        let mut city = City {
            places,
            source,
            profile,
            catalog: Arc::new(catalog),
            transit,
            graphs,
            params,
            streets: Arc::from(streets),
            targets,
            area: [0.0; 4],
            timetables: TimetableCache::default(),
        };
        city.area = city.compute_area();
        city
    }

    /// The union of everything the city holds data for: its stops and features (plus
    /// [`AREA_MARGIN_DEG`]), its street graph (plus [`STREETS_MARGIN_DEG`]) and the box its
    /// `city.toml` declares. Empty (`[0; 4]`) for a city with none of them.
    fn compute_area(&self) -> [f64; 4] {
        let mut data: Option<[f64; 4]> = self.transit.extent();
        for f in self.catalog.features() {
            data = Some(union(data, f.bbox));
        }
        let mut area = data.map(|d| grow(d, AREA_MARGIN_DEG));
        if let Some(e) = self.streets.extent() {
            area = Some(union(area, grow(e, STREETS_MARGIN_DEG)));
        }
        let b = &self.profile.bounds;
        if *b != crate::geo::bounds::CityBounds::WORLD {
            area = Some(union(area, [b.min_lon, b.min_lat, b.max_lon, b.max_lat]));
        }
        area.unwrap_or([0.0; 4])
    }

    /// The same city on another network (one with a request's scenario added): catalog,
    /// streets and targets shared, the area kept.
    pub fn with_transit(&self, transit: TransitNetwork) -> City {
        let graphs = (0..transit.scenarios.len())
            .map(|s| TransitGraph::build(&transit, s, &self.params))
            .collect();
        City {
            places: Gazetteer::build(&transit),
            source: self.source.clone(),
            profile: self.profile.clone(),
            catalog: self.catalog.clone(),
            transit,
            graphs,
            params: self.params,
            streets: self.streets.clone(),
            targets: self.targets.clone(),
            area: self.area,
            timetables: TimetableCache::default(),
        }
    }

    pub fn contains(&self, p: [f64; 2]) -> bool {
        p[0] >= self.area[0] && p[0] <= self.area[2] && p[1] >= self.area[1] && p[1] <= self.area[3]
    }

    pub fn scenario_ids(&self) -> Vec<&str> {
        self.transit
            .scenarios
            .iter()
            .map(|s| s.id.as_str())
            .collect()
    }
}

fn union(a: Option<[f64; 4]>, b: [f64; 4]) -> [f64; 4] {
    match a {
        None => b,
        Some(a) => [
            a[0].min(b[0]),
            a[1].min(b[1]),
            a[2].max(b[2]),
            a[3].max(b[3]),
        ],
    }
}

fn grow(b: [f64; 4], by: f64) -> [f64; 4] {
    [b[0] - by, b[1] - by, b[2] + by, b[3] + by]
}
