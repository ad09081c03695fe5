//! Coordinate reference systems the service can answer in (OGC API – Features Part 2).
//!
//! Everything inside cityreach is WGS-84 longitude/latitude (CRS84). Output in another CRS is a
//! transformation at the edge: EPSG:4326 is the same datum with the axes in the order EPSG
//! defines (latitude first), EPSG:3857 is web mercator in metres, and EPSG:4490 (CGCS2000, the
//! national datum Chinese planning departments deliver in) is realised within a few centimetres of
//! WGS-84 (ITRF97 at epoch 2000.0 against WGS-84 (G1150)), so its coordinates are the WGS-84 ones,
//! latitude first — a datum shift far below the accuracy of any position served here.

/// One supported CRS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crs {
    /// WGS-84 longitude, latitude (the GeoJSON and OGC API default).
    Crs84,
    /// WGS-84 latitude, longitude (EPSG axis order).
    Epsg4326,
    /// Web mercator, metres east and north.
    Epsg3857,
    /// CGCS2000 latitude, longitude (EPSG axis order).
    Epsg4490,
}

/// Why a CRS name was not understood.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CrsError {
    #[error("unsupported CRS '{given}' (supported: {})", Crs::ALL.iter().map(|c| c.uri()).collect::<Vec<_>>().join(", "))]
    Unsupported { given: String },
    #[error("coordinate ({x}, {y}) is outside the valid range of {crs}")]
    OutOfRange { x: f64, y: f64, crs: &'static str },
}

/// Half the circumference of the web mercator sphere, metres (the x of longitude 180°).
const MERCATOR_HALF: f64 = 20_037_508.342_789_244;
/// The sphere radius of web mercator (the WGS-84 semi-major axis).
const MERCATOR_R: f64 = 6_378_137.0;
/// Web mercator stops at ±85.0511287798° so that the world is square.
const MERCATOR_MAX_LAT: f64 = 85.051_128_779_806_59;

impl Crs {
    pub const ALL: [Crs; 4] = [Crs::Crs84, Crs::Epsg4326, Crs::Epsg3857, Crs::Epsg4490];

    /// The OGC URI of the CRS, as clients send and servers advertise it.
    pub fn uri(self) -> &'static str {
        match self {
            Crs::Crs84 => "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
            Crs::Epsg4326 => "http://www.opengis.net/def/crs/EPSG/0/4326",
            Crs::Epsg3857 => "http://www.opengis.net/def/crs/EPSG/0/3857",
            Crs::Epsg4490 => "http://www.opengis.net/def/crs/EPSG/0/4490",
        }
    }

    /// Reads a CRS from its OGC URI, its `[EPSG:4326]`-style safe CURIE, or `EPSG:4326`.
    pub fn parse(s: &str) -> Result<Crs, CrsError> {
        let t = s.trim();
        let t = t
            .strip_prefix('[')
            .and_then(|x| x.strip_suffix(']'))
            .unwrap_or(t);
        let t = t
            .strip_prefix("https://")
            .map(|r| format!("http://{r}"))
            .unwrap_or_else(|| t.to_string());
        for c in Crs::ALL {
            if t == c.uri() {
                return Ok(c);
            }
        }
        let upper = t.to_ascii_uppercase();
        let code = upper
            .strip_prefix("EPSG:")
            .or_else(|| upper.strip_prefix("URN:OGC:DEF:CRS:EPSG::"));
        match (code, upper.as_str()) {
            (Some("4326"), _) => Ok(Crs::Epsg4326),
            (Some("3857"), _) => Ok(Crs::Epsg3857),
            (Some("4490"), _) => Ok(Crs::Epsg4490),
            (_, "OGC:CRS84" | "CRS84" | "URN:OGC:DEF:CRS:OGC:1.3:CRS84") => Ok(Crs::Crs84),
            _ => Err(CrsError::Unsupported {
                given: s.to_string(),
            }),
        }
    }

    /// The value of a `Content-Crs` header: the URI in angle brackets.
    pub fn header(self) -> String {
        format!("<{}>", self.uri())
    }

    /// A CRS84 (lon, lat) position in this CRS, axes in this CRS's order.
    pub fn from_lonlat(self, p: [f64; 2]) -> [f64; 2] {
        match self {
            Crs::Crs84 => p,
            Crs::Epsg4326 | Crs::Epsg4490 => [p[1], p[0]],
            Crs::Epsg3857 => {
                let lat = p[1].clamp(-MERCATOR_MAX_LAT, MERCATOR_MAX_LAT);
                let x = MERCATOR_R * p[0].to_radians();
                let y = MERCATOR_R
                    * (std::f64::consts::FRAC_PI_4 + lat.to_radians() / 2.0)
                        .tan()
                        .ln();
                [x, y]
            }
        }
    }

    /// A position in this CRS back to CRS84 (lon, lat), checking the range.
    pub fn to_lonlat(self, p: [f64; 2]) -> Result<[f64; 2], CrsError> {
        let out_of_range = || CrsError::OutOfRange {
            x: p[0],
            y: p[1],
            crs: self.uri(),
        };
        let ll = match self {
            Crs::Crs84 => p,
            Crs::Epsg4326 | Crs::Epsg4490 => [p[1], p[0]],
            Crs::Epsg3857 => {
                if !(p[0].abs() <= MERCATOR_HALF && p[1].abs() <= MERCATOR_HALF) {
                    return Err(out_of_range());
                }
                let lon = (p[0] / MERCATOR_R).to_degrees();
                let lat = (2.0 * (p[1] / MERCATOR_R).exp().atan() - std::f64::consts::FRAC_PI_2)
                    .to_degrees();
                [lon, lat]
            }
        };
        if ll[0].is_finite() && ll[1].is_finite() && ll[0].abs() <= 180.0 && ll[1].abs() <= 90.0 {
            Ok(ll)
        } else {
            Err(out_of_range())
        }
    }

    /// Decimal places that keep this CRS's coordinates at about a centimetre.
    pub fn decimals(self) -> u32 {
        match self {
            Crs::Epsg3857 => 2,
            _ => 7,
        }
    }

    /// A CRS84 bbox `[w, s, e, n]` in this CRS, as the corners' extent (lower corner first).
    pub fn bbox_from_lonlat(self, b: [f64; 4]) -> [f64; 4] {
        let lo = self.from_lonlat([b[0], b[1]]);
        let hi = self.from_lonlat([b[2], b[3]]);
        [
            lo[0].min(hi[0]),
            lo[1].min(hi[1]),
            lo[0].max(hi[0]),
            lo[1].max(hi[1]),
        ]
    }

    /// A bbox given in this CRS (lower corner first, axes in this CRS's order) as CRS84.
    pub fn bbox_to_lonlat(self, b: [f64; 4]) -> Result<[f64; 4], CrsError> {
        // Corners stay corners (every supported CRS is monotonic in both axes), so a box given
        // upside down stays upside down and the caller's order check still sees it.
        let lo = self.to_lonlat([b[0], b[1]])?;
        let hi = self.to_lonlat([b[2], b[3]])?;
        Ok([lo[0], lo[1], hi[0], hi[1]])
    }

    /// Rewrites every position of a GeoJSON geometry (or Feature's `geometry` and `bbox`) from
    /// CRS84 into this CRS, rounded to [`Crs::decimals`].
    pub fn transform_feature(self, feature: &mut serde_json::Value) {
        if self == Crs::Crs84 {
            return;
        }
        if let Some(g) = feature.get_mut("geometry") {
            self.transform_geometry(g);
        }
        if let Some(serde_json::Value::Array(b)) = feature.get_mut("bbox") {
            let nums: Vec<f64> = b.iter().filter_map(|v| v.as_f64()).collect();
            if nums.len() == 4 {
                let t = self.bbox_from_lonlat([nums[0], nums[1], nums[2], nums[3]]);
                *b = t.iter().map(|&x| self.number(x)).collect();
            }
        }
    }

    pub fn transform_geometry(self, geometry: &mut serde_json::Value) {
        if let Some(geoms) = geometry.get_mut("geometries") {
            if let serde_json::Value::Array(gs) = geoms {
                for g in gs {
                    self.transform_geometry(g);
                }
            }
            return;
        }
        if let Some(c) = geometry.get_mut("coordinates") {
            self.transform_coords(c);
        }
    }

    fn transform_coords(self, c: &mut serde_json::Value) {
        let serde_json::Value::Array(items) = c else {
            return;
        };
        let is_position = items.len() >= 2 && items.iter().all(|v| v.is_number());
        if is_position {
            let (Some(x), Some(y)) = (items[0].as_f64(), items[1].as_f64()) else {
                return;
            };
            let t = self.from_lonlat([x, y]);
            items[0] = self.number(t[0]);
            items[1] = self.number(t[1]);
        } else {
            for item in items {
                self.transform_coords(item);
            }
        }
    }

    fn number(self, x: f64) -> serde_json::Value {
        let f = 10f64.powi(self.decimals() as i32);
        serde_json::Number::from_f64((x * f).round() / f)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_uris_and_curies() {
        assert_eq!(
            Crs::parse("http://www.opengis.net/def/crs/OGC/1.3/CRS84"),
            Ok(Crs::Crs84)
        );
        assert_eq!(Crs::parse("[EPSG:3857]"), Ok(Crs::Epsg3857));
        assert_eq!(Crs::parse("EPSG:4490"), Ok(Crs::Epsg4490));
        assert_eq!(
            Crs::parse("https://www.opengis.net/def/crs/EPSG/0/4326"),
            Ok(Crs::Epsg4326)
        );
        let e = Crs::parse("EPSG:2385").unwrap_err().to_string();
        assert!(e.contains("EPSG:2385") && e.contains("EPSG/0/3857"), "{e}");
    }

    #[test]
    fn web_mercator_matches_known_values() {
        // 郑州站 area; reference values from the closed-form spherical mercator by hand:
        // x = R·λ, y = R·ln tan(π/4 + φ/2).
        let p = Crs::Epsg3857.from_lonlat([180.0, 0.0]);
        assert!((p[0] - MERCATOR_HALF).abs() < 1e-6 && p[1].abs() < 1e-6);
        let p = Crs::Epsg3857.from_lonlat([113.6598, 34.7536]);
        assert!((p[0] - 12_652_551.06).abs() < 1.0, "{p:?}");
        assert!((p[1] - 4_130_446.58).abs() < 1.0, "{p:?}");
        let back = Crs::Epsg3857.to_lonlat(p).unwrap();
        assert!((back[0] - 113.6598).abs() < 1e-9 && (back[1] - 34.7536).abs() < 1e-9);
    }

    #[test]
    fn epsg_geographic_swaps_axes() {
        assert_eq!(Crs::Epsg4326.from_lonlat([113.0, 34.0]), [34.0, 113.0]);
        assert_eq!(Crs::Epsg4490.to_lonlat([34.0, 113.0]), Ok([113.0, 34.0]));
        assert!(Crs::Epsg4326.to_lonlat([113.0, 34.0]).is_err());
    }

    #[test]
    fn transforms_nested_geometry() {
        let mut f = serde_json::json!({"type":"Feature","bbox":[1.0,2.0,3.0,4.0],
            "geometry":{"type":"Polygon","coordinates":[[[1.0,2.0],[3.0,2.0],[3.0,4.0],[1.0,2.0]]]}});
        Crs::Epsg4326.transform_feature(&mut f);
        assert_eq!(
            f["geometry"]["coordinates"][0][1],
            serde_json::json!([2.0, 3.0])
        );
        assert_eq!(f["bbox"], serde_json::json!([2.0, 1.0, 4.0, 3.0]));
    }
}
