//! Small geodesy helpers: great-circle distance, GCJ-02 ↔ WGS-84, and a local planar frame.
//!
//! Chinese map sources publish GCJ-02 ("Mars coordinates"), offset from WGS-84 by ~570 m in
//! Zhengzhou. Everything inside cityreach is WGS-84; these functions exist so data builders and
//! tests can convert and check.

/// Mean Earth radius used for haversine distances (IUGG), metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance in metres between two (lon, lat) points in degrees.
pub fn haversine_m(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (lon1, lat1) = (a[0].to_radians(), a[1].to_radians());
    let (lon2, lat2) = (b[0].to_radians(), b[1].to_radians());
    let dlat = lat2 - lat1;
    let dlon = lon2 - lon1;
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().asin()
}

/// An equirectangular projection centred on a reference latitude: metres east/north of an origin.
///
/// Accurate to a few parts in 10⁴ over a city (tens of km), and far cheaper than haversine in
/// inner loops such as rasterising travel-time fields.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalFrame {
    origin: [f64; 2],
    m_per_deg_lon: f64,
    m_per_deg_lat: f64,
}

impl LocalFrame {
    pub fn new(origin: [f64; 2]) -> Self {
        let m_per_deg_lat = EARTH_RADIUS_M.to_radians();
        LocalFrame {
            origin,
            m_per_deg_lon: m_per_deg_lat * origin[1].to_radians().cos(),
            m_per_deg_lat,
        }
    }

    /// (x, y) metres of a (lon, lat) point relative to the frame origin.
    pub fn to_xy(&self, p: [f64; 2]) -> [f64; 2] {
        [
            (p[0] - self.origin[0]) * self.m_per_deg_lon,
            (p[1] - self.origin[1]) * self.m_per_deg_lat,
        ]
    }

    /// (lon, lat) of a point given in frame metres.
    pub fn to_lonlat(&self, xy: [f64; 2]) -> [f64; 2] {
        [
            self.origin[0] + xy[0] / self.m_per_deg_lon,
            self.origin[1] + xy[1] / self.m_per_deg_lat,
        ]
    }

    pub fn metres_per_degree(&self) -> [f64; 2] {
        [self.m_per_deg_lon, self.m_per_deg_lat]
    }
}

// Krasovsky 1940 ellipsoid parameters used by the GCJ-02 transform.
const GCJ_A: f64 = 6_378_245.0;
const GCJ_EE: f64 = 0.006_693_421_622_965_943;

fn gcj_offset(lon: f64, lat: f64) -> [f64; 2] {
    use std::f64::consts::PI;
    let x = lon - 105.0;
    let y = lat - 35.0;
    let mut dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    dlat += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    dlat += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    dlat += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    let mut dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    dlon += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    dlon += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    dlon += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    let rad_lat = lat.to_radians();
    let magic = 1.0 - GCJ_EE * rad_lat.sin().powi(2);
    let sqrt_magic = magic.sqrt();
    let dlat = (dlat * 180.0) / ((GCJ_A * (1.0 - GCJ_EE)) / (magic * sqrt_magic) * PI);
    let dlon = (dlon * 180.0) / (GCJ_A / sqrt_magic * rad_lat.cos() * PI);
    [dlon, dlat]
}

/// WGS-84 → GCJ-02 (the published forward transform; valid inside China).
pub fn wgs84_to_gcj02(p: [f64; 2]) -> [f64; 2] {
    let d = gcj_offset(p[0], p[1]);
    [p[0] + d[0], p[1] + d[1]]
}

/// GCJ-02 → WGS-84 by fixed-point iteration on the forward transform (error < 1 cm).
pub fn gcj02_to_wgs84(p: [f64; 2]) -> [f64; 2] {
    let mut wgs = p;
    for _ in 0..30 {
        let fwd = wgs84_to_gcj02(wgs);
        let err = [fwd[0] - p[0], fwd[1] - p[1]];
        wgs = [wgs[0] - err[0], wgs[1] - err[1]];
        if err[0].abs() < 1e-10 && err[1].abs() < 1e-10 {
            break;
        }
    }
    wgs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haversine_one_degree_of_latitude() {
        let d = haversine_m([113.0, 34.0], [113.0, 35.0]);
        assert!((d - 111_195.0).abs() < 5.0, "{d}");
    }

    #[test]
    fn gcj_offset_in_zhengzhou_matches_the_published_size() {
        // 二七广场 metro station, WGS-84 → GCJ-02 shifts ≈ +0.0061° lon, −0.0011° lat.
        let g = wgs84_to_gcj02([113.6598, 34.7536]);
        assert!((g[0] - 113.6598 - 0.0061).abs() < 0.0003, "{g:?}");
        assert!((g[1] - 34.7536 + 0.0011).abs() < 0.0003, "{g:?}");
    }

    #[test]
    fn gcj_round_trip_is_centimetre_exact() {
        for p in [[113.66, 34.75], [113.84, 34.52], [112.95, 34.45]] {
            let back = gcj02_to_wgs84(wgs84_to_gcj02(p));
            assert!(haversine_m(p, back) < 0.01, "{p:?} → {back:?}");
        }
    }

    #[test]
    fn local_frame_agrees_with_haversine_over_a_city() {
        let f = LocalFrame::new([113.65, 34.75]);
        let a = [113.60, 34.70];
        let b = [113.80, 34.80];
        let (pa, pb) = (f.to_xy(a), f.to_xy(b));
        let planar = ((pa[0] - pb[0]).powi(2) + (pa[1] - pb[1]).powi(2)).sqrt();
        let great = haversine_m(a, b);
        assert!((planar - great).abs() / great < 1e-3, "{planar} vs {great}");
        let back = f.to_lonlat(pa);
        assert!((back[0] - a[0]).abs() < 1e-12 && (back[1] - a[1]).abs() < 1e-12);
    }
}
