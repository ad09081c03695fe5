//! Planning features: the data model, GeoJSON loading and validation, the spatial index and
//! name search.

mod model;

pub use model::{Feature, FeatureKind, PositionInfo, SourceRef, Status};

use std::collections::HashMap;
use std::path::Path;

/// Everything that can go wrong loading or querying the catalog.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: not valid GeoJSON: {message}")]
    Parse { file: String, message: String },
    #[error("{file}: feature {index} ({id}): field '{field}': {message}")]
    Invalid {
        file: String,
        index: usize,
        id: String,
        field: String,
        message: String,
    },
    #[error("unknown place '{query}'{}", suggestion_text(.suggestions))]
    UnknownPlace {
        query: String,
        suggestions: Vec<String>,
    },
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
}

impl Catalog {
    /// Builds a catalog from already validated features.
    pub fn from_features(features: Vec<Feature>) -> Result<Catalog, CatalogError> {
        let by_id = features
            .iter()
            .enumerate()
            .map(|(i, f)| (f.id.clone(), i))
            .collect();
        Ok(Catalog { features, by_id })
    }

    /// Loads and validates a feature GeoJSON file.
    pub fn load(path: &Path) -> Result<Catalog, CatalogError> {
        let _ = path;
        unimplemented!("catalog loading")
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

    /// Resolves a place the user typed: a feature id, or an exact name (zh / en / pinyin /
    /// alias, case- and space-insensitive). A miss names the closest matches.
    pub fn resolve(&self, query: &str) -> Result<&Feature, CatalogError> {
        if let Some(f) = self.get(query) {
            return Ok(f);
        }
        let wanted = normalise(query);
        self.features
            .iter()
            .find(|f| f.names().any(|n| normalise(n) == wanted))
            .ok_or_else(|| CatalogError::UnknownPlace {
                query: query.to_string(),
                suggestions: Vec::new(),
            })
    }
}

fn normalise(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}
