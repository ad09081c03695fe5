//! The spatial index (R-trees over feature bounding boxes and anchors) and the queries on it.
//! The trees only narrow the candidates; every answer is decided by the exact test, so results
//! equal a linear scan.

use super::model::{Feature, FeatureKind, Status};
use super::search::normalise;
use super::Catalog;
use crate::geodesy::EARTH_RADIUS_M;
use geo::{BoundingRect, Intersects, MultiPolygon, Point};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

pub(crate) type BoxTree = RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>;
pub(crate) type AnchorTree = RTree<GeomWithData<[f64; 2], usize>>;

/// A filter over the catalog; every field set must hold. Results come in catalog order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeatureQuery {
    pub kind: Option<FeatureKind>,
    pub status: Option<Status>,
    pub subkind: Option<String>,
    /// (west, south, east, north): the feature's geometry bounding box intersects it.
    pub bbox: Option<[f64; 4]>,
    /// ((lon, lat), radius in metres): geodesic distance to the geometry ≤ radius.
    pub near: Option<([f64; 2], f64)>,
    /// The feature's anchor lies inside (or on the boundary of) this area.
    pub within: Option<MultiPolygon<f64>>,
    /// A name (any language or alias) contains this text, compared folded.
    pub text: Option<String>,
}

pub(crate) fn build_trees(features: &[Feature]) -> (BoxTree, AnchorTree) {
    let boxes = features
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let b = f.bbox;
            GeomWithData::new(Rectangle::from_corners([b[0], b[1]], [b[2], b[3]]), i)
        })
        .collect();
    let anchors = features
        .iter()
        .enumerate()
        .map(|(i, f)| GeomWithData::new(f.anchor, i))
        .collect();
    (RTree::bulk_load(boxes), RTree::bulk_load(anchors))
}

/// Half the Earth's circumference: beyond this every point is inside the circle.
const HALF_CIRCUMFERENCE_M: f64 = std::f64::consts::PI * EARTH_RADIUS_M;

/// The lon/lat box enclosing every point within `radius_m` of `p` (None: the whole globe).
fn circle_bbox(p: [f64; 2], radius_m: f64) -> Option<[f64; 4]> {
    let d = radius_m / EARTH_RADIUS_M; // angular radius
    let lat = p[1].to_radians();
    let (south, north) = (lat - d, lat + d);
    if radius_m >= HALF_CIRCUMFERENCE_M / 2.0
        || north >= std::f64::consts::FRAC_PI_2
        || south <= -std::f64::consts::FRAC_PI_2
    {
        return None;
    }
    // Widest longitude reach of a small circle (exact on the sphere), plus float slack.
    let dlon = (d.sin() / lat.cos()).min(1.0).asin();
    let slack = 1e-9;
    Some([
        p[0] - dlon.to_degrees() - slack,
        south.to_degrees() - slack,
        p[0] + dlon.to_degrees() + slack,
        north.to_degrees() + slack,
    ])
}

fn valid_bbox(b: &[f64; 4]) -> bool {
    b.iter().all(|x| x.is_finite()) && b[0] <= b[2] && b[1] <= b[3]
}

fn boxes_intersect(a: &[f64; 4], b: &[f64; 4]) -> bool {
    a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
}

impl Catalog {
    fn boxes_in(&self, b: [f64; 4]) -> Vec<usize> {
        let env = AABB::from_corners([b[0], b[1]], [b[2], b[3]]);
        self.boxes
            .locate_in_envelope_intersecting(&env)
            .map(|g| g.data)
            .collect()
    }

    /// Features matching every condition of `q`, in catalog order.
    pub fn query(&self, q: &FeatureQuery) -> Vec<&Feature> {
        self.query_indices(q)
            .into_iter()
            .map(|i| &self.features[i])
            .collect()
    }

    /// Like [`Catalog::query`], as indices into [`Catalog::features`].
    pub fn query_indices(&self, q: &FeatureQuery) -> Vec<usize> {
        if let Some((p, r)) = q.near {
            if !(p[0].is_finite() && p[1].is_finite()) || r.is_nan() || r < 0.0 {
                return Vec::new();
            }
        }
        if let Some(b) = &q.bbox {
            if !valid_bbox(b) {
                return Vec::new();
            }
        }
        // The most selective spatial condition picks the candidates.
        let mut candidates: Vec<usize> = if let Some(cb) =
            q.near.and_then(|(p, r)| circle_bbox(p, r))
        {
            self.boxes_in(cb)
        } else if let Some(b) = q.bbox {
            self.boxes_in(b)
        } else if let Some(area) = &q.within {
            match area.bounding_rect() {
                Some(r) => {
                    let env = AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
                    self.anchors
                        .locate_in_envelope(&env)
                        .map(|g| g.data)
                        .collect()
                }
                None => return Vec::new(),
            }
        } else {
            (0..self.features.len()).collect()
        };
        candidates.sort_unstable();
        let text = q.text.as_deref().map(normalise);
        candidates.retain(|&i| self.matches(&self.features[i], q, text.as_deref()));
        candidates
    }

    /// The exact test of one feature against a query (`text` already folded).
    fn matches(&self, f: &Feature, q: &FeatureQuery, text: Option<&str>) -> bool {
        q.kind.is_none_or(|k| f.kind == k)
            && q.status.is_none_or(|s| f.status == s)
            && q.subkind.as_deref().is_none_or(|s| f.subkind == s)
            && q.bbox.is_none_or(|b| boxes_intersect(&f.bbox, &b))
            && q.near.is_none_or(|(p, r)| f.distance_m(p) <= r)
            && q.within
                .as_ref()
                .is_none_or(|a| a.intersects(&Point::new(f.anchor[0], f.anchor[1])))
            && text.is_none_or(|t| self.names.feature_matches(f, t))
    }

    /// Features whose geometry is within `radius_m` metres of `point`, nearest first, with
    /// their distances (ties in catalog order).
    pub fn within_radius(&self, point: [f64; 2], radius_m: f64) -> Vec<(&Feature, f64)> {
        let q = FeatureQuery {
            near: Some((point, radius_m)),
            ..FeatureQuery::default()
        };
        let mut out: Vec<(usize, f64)> = self
            .query_indices(&q)
            .into_iter()
            .map(|i| (i, self.features[i].distance_m(point)))
            .collect();
        out.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        out.into_iter()
            .map(|(i, d)| (&self.features[i], d))
            .collect()
    }

    /// The `k` features nearest to `point` by geodesic distance to their geometry, nearest
    /// first (ties in catalog order).
    pub fn nearest(&self, point: [f64; 2], k: usize) -> Vec<(&Feature, f64)> {
        if k == 0 || !(point[0].is_finite() && point[1].is_finite()) {
            return Vec::new();
        }
        // Grow a search circle until it holds k features: everything nearer than the k-th
        // is then inside it too.
        let mut radius = 500.0;
        loop {
            let (cands, all) = match circle_bbox(point, radius) {
                Some(b) => (self.boxes_in(b), false),
                None => ((0..self.features.len()).collect(), true),
            };
            let mut found: Vec<(usize, f64)> = cands
                .into_iter()
                .map(|i| (i, self.features[i].distance_m(point)))
                .filter(|&(_, d)| all || d <= radius)
                .collect();
            if found.len() >= k || all {
                found.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
                found.truncate(k);
                return found
                    .into_iter()
                    .map(|(i, d)| (&self.features[i], d))
                    .collect();
            }
            radius *= 4.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geodesy::haversine_m;

    #[test]
    fn circle_box_encloses_the_circle() {
        let p = [113.65, 34.75];
        let r = 5_000.0;
        let b = circle_bbox(p, r).unwrap();
        for i in 0..360 {
            let a = (i as f64).to_radians();
            // A point on the circle, found by bisection along the bearing.
            let (mut lo, mut hi) = (0.0, 1.0);
            for _ in 0..60 {
                let m = (lo + hi) / 2.0;
                let q = [p[0] + m * a.cos(), p[1] + m * a.sin()];
                if haversine_m(p, q) < r {
                    lo = m
                } else {
                    hi = m
                }
            }
            let q = [p[0] + lo * a.cos(), p[1] + lo * a.sin()];
            assert!(q[0] >= b[0] && q[0] <= b[2] && q[1] >= b[1] && q[1] <= b[3]);
        }
        assert!(circle_bbox(p, 1e9).is_none());
    }
}
