//! Where a city's data comes from: the Zhengzhou default embedded in the binary, or a folder of
//! the same shape (`features.geojson`, `districts.geojson`, `gtfs/`, `scenarios/`,
//! `targets.toml`).

use include_dir::{include_dir, Dir};
use std::path::{Path, PathBuf};

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/geodata/zhengzhou");

/// The name the embedded default answers to in messages and metadata.
pub const EMBEDDED_NAME: &str = "embedded:geodata/zhengzhou";

#[derive(Debug, thiserror::Error)]
pub enum DataSourceError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: no such file in the data folder")]
    Missing { path: String },
    #[error("data folder {0} does not exist or is not a folder")]
    NotAFolder(String),
}

/// A folder of city data, on disk or embedded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataSource {
    Embedded,
    Folder(PathBuf),
}

impl DataSource {
    /// `None` → the embedded Zhengzhou default; `Some(dir)` → that folder.
    pub fn from_option(dir: Option<&Path>) -> Result<DataSource, DataSourceError> {
        match dir {
            None => Ok(DataSource::Embedded),
            Some(d) if d.is_dir() => Ok(DataSource::Folder(d.to_path_buf())),
            Some(d) => Err(DataSourceError::NotAFolder(d.display().to_string())),
        }
    }

    /// A display name for a file of this source, used in error messages.
    pub fn label(&self, name: &str) -> String {
        match self {
            DataSource::Embedded => format!("{EMBEDDED_NAME}/{name}"),
            DataSource::Folder(d) => d.join(name).display().to_string(),
        }
    }

    pub fn exists(&self, name: &str) -> bool {
        match self {
            DataSource::Embedded => EMBEDDED.get_entry(name).is_some(),
            DataSource::Folder(d) => d.join(name).exists(),
        }
    }

    /// Reads a file of the source as text.
    pub fn read_to_string(&self, name: &str) -> Result<String, DataSourceError> {
        match self {
            DataSource::Embedded => EMBEDDED
                .get_file(name)
                .and_then(|f| f.contents_utf8())
                .map(str::to_owned)
                .ok_or_else(|| DataSourceError::Missing {
                    path: self.label(name),
                }),
            DataSource::Folder(d) => {
                let p = d.join(name);
                std::fs::read_to_string(&p).map_err(|source| {
                    if source.kind() == std::io::ErrorKind::NotFound {
                        DataSourceError::Missing {
                            path: p.display().to_string(),
                        }
                    } else {
                        DataSourceError::Io {
                            path: p.display().to_string(),
                            source,
                        }
                    }
                })
            }
        }
    }

    /// Names (relative to the source) of the files directly inside a sub-folder, sorted.
    pub fn list(&self, folder: &str) -> Result<Vec<String>, DataSourceError> {
        let mut names: Vec<String> = match self {
            DataSource::Embedded => EMBEDDED
                .get_dir(folder)
                .map(|d| {
                    d.files()
                        .map(|f| f.path().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default(),
            DataSource::Folder(d) => {
                let dir = d.join(folder);
                if !dir.is_dir() {
                    return Ok(Vec::new());
                }
                std::fs::read_dir(&dir)
                    .map_err(|source| DataSourceError::Io {
                        path: dir.display().to_string(),
                        source,
                    })?
                    .filter_map(Result::ok)
                    .filter(|e| e.path().is_file())
                    .map(|e| format!("{folder}/{}", e.file_name().to_string_lossy()))
                    .collect()
            }
        };
        names.sort();
        Ok(names)
    }
}

/// A city's name and the box its data must lie in, from `city.toml` in the data folder.
#[derive(Debug, Clone, PartialEq)]
pub struct CityProfile {
    pub name: String,
    pub name_local: Option<String>,
    pub bounds: crate::geo::bounds::CityBounds,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CityToml {
    name: String,
    #[serde(default)]
    name_local: Option<String>,
    /// [west, south, east, north] in WGS-84 degrees.
    bbox: [f64; 4],
}

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error(transparent)]
    Source(#[from] DataSourceError),
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

/// The file that names a city and bounds its data.
pub const PROFILE_FILE: &str = "city.toml";

impl DataSource {
    /// The city profile: `city.toml` when present; otherwise the folder's name and the whole
    /// globe (no box check beyond valid coordinates).
    pub fn profile(&self) -> Result<CityProfile, ProfileError> {
        if !self.exists(PROFILE_FILE) {
            let name = match self {
                DataSource::Embedded => "Zhengzhou".to_string(),
                DataSource::Folder(d) => d
                    .canonicalize()
                    .ok()
                    .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                    .unwrap_or_else(|| d.display().to_string()),
            };
            return Ok(CityProfile {
                name,
                name_local: None,
                bounds: crate::geo::bounds::CityBounds::WORLD,
            });
        }
        let path = self.label(PROFILE_FILE);
        let text = self.read_to_string(PROFILE_FILE)?;
        let t: CityToml = toml::from_str(&text).map_err(|e| ProfileError::Invalid {
            path: path.clone(),
            message: e.to_string(),
        })?;
        let [w, s, e, n] = t.bbox;
        let valid = t.bbox.iter().all(|v| v.is_finite())
            && (-180.0..=180.0).contains(&w)
            && (-180.0..=180.0).contains(&e)
            && (-90.0..=90.0).contains(&s)
            && (-90.0..=90.0).contains(&n)
            && w < e
            && s < n;
        if !valid {
            return Err(ProfileError::Invalid {
                path,
                message: format!(
                    "bbox {:?} is not [west, south, east, north] in degrees",
                    t.bbox
                ),
            });
        }
        Ok(CityProfile {
            name: t.name,
            name_local: t.name_local,
            bounds: crate::geo::bounds::CityBounds {
                min_lon: w,
                min_lat: s,
                max_lon: e,
                max_lat: n,
            },
        })
    }
}
