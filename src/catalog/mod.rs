//! Planning features: the data model, GeoJSON loading and validation, the spatial index and
//! name search.

mod check;
pub mod districts;
mod geom;
mod index;
mod load;
mod model;
pub mod population;
mod search;
pub mod targets;

pub use check::{check_seed_citations, check_station_anchors, AnchorProblem, CitationProblem};
pub use districts::District;
pub use geom::{anchor_of, bbox_of};
pub use index::FeatureQuery;
pub use model::{CityBounds, Feature, FeatureKind, PositionInfo, SourceRef, Status};
pub use search::{normalise, SearchHit, SearchResults};

use crate::dataset::{DataSource, DataSourceError};
use std::collections::HashMap;
use std::fmt;
use std::path::Path;

/// The file name of the feature layer inside a data folder.
pub const FEATURES_FILE: &str = "features.geojson";

/// One problem found in a data file: which feature (0-based index in the file's `features`
/// array, and its id), which field, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationIssue {
    pub index: usize,
    pub id: String,
    pub field: String,
    pub message: String,
}

impl fmt::Display for ValidationIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "feature {} ({}): field '{}': {}",
            self.index, self.id, self.field, self.message
        )
    }
}

/// Everything that can go wrong loading or querying the catalog.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Data(#[from] DataSourceError),
    #[error("{file}: not valid GeoJSON: {message}")]
    Parse { file: String, message: String },
    /// Every problem of a file (the first [`ValidationIssue`]s up to a cap; `total` counts all).
    #[error("{}", issues_text(.file, .issues, *.total))]
    Invalid {
        file: String,
        issues: Vec<ValidationIssue>,
        total: usize,
    },
    #[error("unknown place '{query}'{}", suggestion_text(.suggestions))]
    UnknownPlace {
        query: String,
        suggestions: Vec<String>,
    },
}

fn issues_text(file: &str, issues: &[ValidationIssue], total: usize) -> String {
    let mut s = if total > 1 {
        format!("{file}: {total} problems\n")
    } else {
        String::new()
    };
    let lines: Vec<String> = issues.iter().map(|i| format!("{file}: {i}")).collect();
    s.push_str(&lines.join("\n"));
    if total > issues.len() {
        s.push_str(&format!("\n… and {} more", total - issues.len()));
    }
    s
}

fn suggestion_text(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!("; did you mean: {}?", suggestions.join(", "))
    }
}

/// The immutable, indexed set of planning features.
#[derive(Debug, Clone)]
pub struct Catalog {
    features: Vec<Feature>,
    by_id: HashMap<String, usize>,
    boxes: index::BoxTree,
    anchors: index::AnchorTree,
    names: search::NameIndex,
}

impl Catalog {
    /// Builds a catalog from features (ids must be unique; anchors and boxes must be set, as
    /// [`Feature::set_geometry`] does).
    pub fn from_features(features: Vec<Feature>) -> Result<Catalog, CatalogError> {
        let mut by_id = HashMap::with_capacity(features.len());
        let mut issues = load::Issues::new("features");
        for (i, f) in features.iter().enumerate() {
            if let Some(first) = by_id.insert(f.id.clone(), i) {
                issues.push(
                    i,
                    &f.id,
                    "id",
                    format!("duplicate id (first used by feature {first})"),
                );
            }
            if !load::valid_id(&f.id) {
                issues.push(i, &f.id, "id", "id must match [a-z0-9-]+");
            }
            if !f.anchor.iter().chain(&f.bbox).all(|x| x.is_finite()) {
                issues.push(
                    i,
                    &f.id,
                    "geometry",
                    "empty geometry or anchor not computed",
                );
            }
        }
        issues.into_result(())?;
        let (boxes, anchors) = index::build_trees(&features);
        let names = search::NameIndex::new(&features);
        Ok(Catalog {
            features,
            by_id,
            boxes,
            anchors,
            names,
        })
    }

    /// Parses and validates a feature GeoJSON text against the Zhengzhou bounds. `file_label`
    /// names the file in error messages.
    pub fn from_geojson_str(text: &str, file_label: &str) -> Result<Catalog, CatalogError> {
        Catalog::from_geojson_str_in(text, file_label, &CityBounds::default())
    }

    /// Like [`Catalog::from_geojson_str`] for a city with other bounds.
    pub fn from_geojson_str_in(
        text: &str,
        file_label: &str,
        bounds: &CityBounds,
    ) -> Result<Catalog, CatalogError> {
        Catalog::from_features(load::parse_features(text, file_label, bounds)?)
    }

    /// Loads and validates a feature GeoJSON file (Zhengzhou bounds).
    pub fn load(path: &Path) -> Result<Catalog, CatalogError> {
        let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Catalog::from_geojson_str(&text, &path.display().to_string())
    }

    /// Loads `features.geojson` of a data source (Zhengzhou bounds).
    pub fn load_from(source: &DataSource) -> Result<Catalog, CatalogError> {
        Catalog::load_from_in(source, &CityBounds::default())
    }

    /// Loads `features.geojson` of a data source with the given city bounds.
    /// A folder without `features.geojson` (a street-only city) has an empty catalog.
    pub fn load_from_in(source: &DataSource, bounds: &CityBounds) -> Result<Catalog, CatalogError> {
        if !source.exists(FEATURES_FILE) {
            return Catalog::from_geojson_str_in(
                r#"{"type":"FeatureCollection","features":[]}"#,
                &source.label(FEATURES_FILE),
                bounds,
            );
        }
        let text = source.read_to_string(FEATURES_FILE)?;
        Catalog::from_geojson_str_in(&text, &source.label(FEATURES_FILE), bounds)
    }

    pub fn features(&self) -> &[Feature] {
        &self.features
    }

    pub fn len(&self) -> usize {
        self.features.len()
    }

    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    pub fn get(&self, id: &str) -> Option<&Feature> {
        self.by_id.get(id).map(|&i| &self.features[i])
    }

    /// Index of a feature by id.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// Finds features by name: exact > prefix > substring > fuzzy, over Chinese, English,
    /// pinyin and aliases (case-, space- and tone-mark-insensitive). A miss carries the
    /// closest names as suggestions.
    pub fn search(&self, text: &str, limit: usize) -> SearchResults {
        self.names.search(text, limit)
    }

    /// Resolves a place the user typed: a feature id, or an exact name (zh / en / pinyin /
    /// alias, folded as in [`normalise`]). A miss names up to five close matches, each of
    /// which resolves.
    pub fn resolve(&self, query: &str) -> Result<&Feature, CatalogError> {
        if let Some(f) = self.get(query.trim()) {
            return Ok(f);
        }
        if let Some(&i) = self.names.exact(&normalise(query)).first() {
            return Ok(&self.features[i]);
        }
        let found = self.search(query, 5);
        let mut suggestions: Vec<String> = Vec::new();
        for h in &found.hits {
            if !suggestions.contains(&h.matched) {
                suggestions.push(h.matched.clone());
            }
        }
        suggestions.extend(found.suggestions);
        suggestions.truncate(5);
        Err(CatalogError::UnknownPlace {
            query: query.to_string(),
            suggestions,
        })
    }

    /// Feature counts per kind × status (every combination, zeros included).
    pub fn counts(&self) -> Vec<(FeatureKind, Status, usize)> {
        let mut out = Vec::new();
        for k in FeatureKind::ALL {
            for s in Status::ALL {
                let n = self
                    .features
                    .iter()
                    .filter(|f| f.kind == k && f.status == s)
                    .count();
                out.push((k, s, n));
            }
        }
        out
    }
}

/// Reads a Polygon / MultiPolygon area from GeoJSON text: a bare geometry, a Feature, or a
/// FeatureCollection whose polygons are merged. Used for "features within this area".
pub fn area_from_geojson_str(
    text: &str,
    file_label: &str,
) -> Result<geo::MultiPolygon<f64>, CatalogError> {
    districts::area_from_geojson_str(text, file_label)
}
