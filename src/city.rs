//! A city, loaded once and shared read-only: catalog, transit network (with its scenarios
//! compiled for search), street model and plan targets.

use crate::catalog::{Catalog, CatalogError};
use crate::dataset::{CityProfile, DataSource, DataSourceError, ProfileError};
use crate::network::streets::{CrowFly, StreetModel};
use crate::network::transit::{TransitError, TransitNetwork};
use crate::reach::search::{TransitGraph, TransitParams};
use crate::reach::targets::{Target, TargetError};

/// How far beyond its stops and features a city's area reaches, in degrees (≈ 5.5 km).
pub const AREA_MARGIN_DEG: f64 = 0.05;

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
    pub catalog: Catalog,
    pub transit: TransitNetwork,
    /// One compiled search graph per scenario, in `transit.scenarios` order.
    pub graphs: Vec<TransitGraph>,
    pub params: TransitParams,
    pub streets: Box<dyn StreetModel>,
    pub targets: Vec<Target>,
    /// The area origins must lie in: stops and features plus [`AREA_MARGIN_DEG`].
    pub area: [f64; 4],
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
        let transit = TransitNetwork::load(&source)?;
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
        let mut area = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        let mut grow = |p: [f64; 4]| {
            area = [
                area[0].min(p[0]),
                area[1].min(p[1]),
                area[2].max(p[2]),
                area[3].max(p[3]),
            ];
        };
        if let Some(e) = transit.extent() {
            grow(e);
        }
        for f in catalog.features() {
            grow(f.bbox);
        }
        let area = if area[0].is_finite() {
            [
                area[0] - AREA_MARGIN_DEG,
                area[1] - AREA_MARGIN_DEG,
                area[2] + AREA_MARGIN_DEG,
                area[3] + AREA_MARGIN_DEG,
            ]
        } else {
            [0.0; 4]
        };
        let profile = CityProfile {
            name: "city".into(),
            name_local: None,
            bounds: crate::catalog::CityBounds::WORLD,
        };
        City {
            source,
            profile,
            catalog,
            transit,
            graphs,
            params,
            streets,
            targets,
            area,
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
