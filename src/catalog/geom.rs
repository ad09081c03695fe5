//! Geometry helpers for the catalog: strict GeoJSON geometry parsing (so errors can name the
//! exact coordinate), anchors, bounding boxes, geodesic distances and GeoJSON output.

use super::model::CityBounds;
use crate::geodesy::{haversine_m, LocalFrame};
use geo::orient::{Direction, Orient};
use geo::{
    BoundingRect, Coord, Geometry, InteriorPoint, Intersects, LineString, MultiLineString,
    MultiPoint, MultiPolygon, Point, Polygon, Validation,
};
use serde_json::Value;

/// A problem with a geometry: the dotted path of the offending member and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GeomError {
    pub field: String,
    pub message: String,
}

fn err(field: impl Into<String>, message: impl Into<String>) -> GeomError {
    GeomError {
        field: field.into(),
        message: message.into(),
    }
}

/// Parses a GeoJSON geometry object, checking every position against the city bounds and every
/// polygon ring for closure, size, winding and self-intersection.
pub(crate) fn parse_geometry(
    v: &Value,
    field: &str,
    bounds: &CityBounds,
) -> Result<Geometry<f64>, GeomError> {
    parse_geometry_opts(v, field, bounds, true)
}

/// As [`parse_geometry`]; `require_ccw: false` accepts clockwise exteriors (older GeoJSON
/// writers) and reorients them.
pub(crate) fn parse_geometry_opts(
    v: &Value,
    field: &str,
    bounds: &CityBounds,
    require_ccw: bool,
) -> Result<Geometry<f64>, GeomError> {
    let obj = v
        .as_object()
        .ok_or_else(|| err(field, "missing or not a GeoJSON geometry object"))?;
    let ty = obj
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| err(format!("{field}.type"), "missing geometry type"))?;
    let cfield = format!("{field}.coordinates");
    let coords = obj
        .get("coordinates")
        .ok_or_else(|| err(&cfield, "missing coordinates"))?;
    let g: Geometry<f64> = match ty {
        "Point" => Point(position(coords, &cfield, bounds)?).into(),
        "MultiPoint" => {
            MultiPoint(positions(coords, &cfield, bounds, 1)?.into_iter().map(Point).collect())
                .into()
        }
        "LineString" => line(coords, &cfield, bounds)?.into(),
        "MultiLineString" => MultiLineString(
            array(coords, &cfield, 1)?
                .iter()
                .enumerate()
                .map(|(i, l)| line(l, &format!("{cfield}[{i}]"), bounds))
                .collect::<Result<_, _>>()?,
        )
        .into(),
        "Polygon" => polygon(coords, &cfield, bounds, require_ccw)?.into(),
        "MultiPolygon" => MultiPolygon(
            array(coords, &cfield, 1)?
                .iter()
                .enumerate()
                .map(|(i, p)| polygon(p, &format!("{cfield}[{i}]"), bounds, require_ccw))
                .collect::<Result<_, _>>()?,
        )
        .into(),
        other => {
            return Err(err(
                format!("{field}.type"),
                format!("unsupported geometry type '{other}' (expected Point, MultiPoint, LineString, MultiLineString, Polygon or MultiPolygon)"),
            ))
        }
    };
    // Topology the per-ring checks cannot see (rings crossing each other, holes outside).
    if let Err(e) = g.check_validation() {
        return Err(err(field, format!("invalid {ty}: {e}")));
    }
    Ok(g)
}

fn array<'a>(v: &'a Value, field: &str, min: usize) -> Result<&'a Vec<Value>, GeomError> {
    let a = v
        .as_array()
        .ok_or_else(|| err(field, "expected an array"))?;
    if a.len() < min {
        return Err(err(field, "empty geometry"));
    }
    Ok(a)
}

fn position(v: &Value, field: &str, bounds: &CityBounds) -> Result<Coord<f64>, GeomError> {
    let a = v
        .as_array()
        .ok_or_else(|| err(field, "expected a position [lon, lat]"))?;
    if !(2..=3).contains(&a.len()) {
        return Err(err(field, "a position has 2 (or 3) numbers: [lon, lat]"));
    }
    let num = |x: &Value| x.as_f64().filter(|f| f.is_finite());
    let (Some(lon), Some(lat)) = (num(&a[0]), num(&a[1])) else {
        return Err(err(field, "non-finite or non-numeric coordinate"));
    };
    if !bounds.contains(lon, lat) {
        if bounds.contains(lat, lon) {
            return Err(err(
                field,
                format!("[{lon}, {lat}] looks like [lat, lon]; GeoJSON positions are [lon, lat]"),
            ));
        }
        return Err(err(
            field,
            format!("[{lon}, {lat}] is outside the city bounds {bounds}"),
        ));
    }
    Ok(Coord { x: lon, y: lat })
}

fn positions(
    v: &Value,
    field: &str,
    bounds: &CityBounds,
    min: usize,
) -> Result<Vec<Coord<f64>>, GeomError> {
    array(v, field, min)?
        .iter()
        .enumerate()
        .map(|(i, p)| position(p, &format!("{field}[{i}]"), bounds))
        .collect()
}

fn line(v: &Value, field: &str, bounds: &CityBounds) -> Result<LineString<f64>, GeomError> {
    let a = array(v, field, 1)?;
    if a.len() < 2 {
        return Err(err(field, "a line needs at least 2 positions"));
    }
    Ok(LineString(positions(v, field, bounds, 2)?))
}

fn polygon(
    v: &Value,
    field: &str,
    bounds: &CityBounds,
    require_ccw: bool,
) -> Result<Polygon<f64>, GeomError> {
    let rings = array(v, field, 1)?;
    let mut parsed = Vec::with_capacity(rings.len());
    for (i, r) in rings.iter().enumerate() {
        let rf = format!("{field}[{i}]");
        let pts = positions(r, &rf, bounds, 1)?;
        if pts.len() < 4 {
            return Err(err(&rf, "a ring needs at least 4 positions"));
        }
        if pts.first() != pts.last() {
            return Err(err(
                &rf,
                "ring is not closed (first and last positions differ)",
            ));
        }
        if let Some((a, b)) = ring_self_intersection(&pts) {
            return Err(err(
                &rf,
                format!("ring intersects itself (segments {a} and {b})"),
            ));
        }
        let area = signed_area(&pts);
        if area == 0.0 {
            return Err(err(&rf, "ring has no area"));
        }
        if i == 0 && area < 0.0 && require_ccw {
            return Err(err(
                &rf,
                "exterior ring is clockwise; it must be counter-clockwise",
            ));
        }
        parsed.push(LineString(pts));
    }
    let exterior = parsed.remove(0);
    let mut poly = Polygon::new(exterior, parsed);
    if !require_ccw {
        poly = poly.orient(Direction::Default);
    }
    Ok(poly)
}

/// Shoelace area in degree²; positive for counter-clockwise rings.
fn signed_area(pts: &[Coord<f64>]) -> f64 {
    pts.windows(2)
        .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
        .sum::<f64>()
        / 2.0
}

fn orient(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>) -> f64 {
    (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
}

fn on_segment(a: Coord<f64>, b: Coord<f64>, p: Coord<f64>) -> bool {
    p.x >= a.x.min(b.x) && p.x <= a.x.max(b.x) && p.y >= a.y.min(b.y) && p.y <= a.y.max(b.y)
}

fn segments_touch(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>, d: Coord<f64>) -> bool {
    let (o1, o2, o3, o4) = (
        orient(a, b, c),
        orient(a, b, d),
        orient(c, d, a),
        orient(c, d, b),
    );
    if ((o1 > 0.0 && o2 < 0.0) || (o1 < 0.0 && o2 > 0.0))
        && ((o3 > 0.0 && o4 < 0.0) || (o3 < 0.0 && o4 > 0.0))
    {
        return true;
    }
    (o1 == 0.0 && on_segment(a, b, c))
        || (o2 == 0.0 && on_segment(a, b, d))
        || (o3 == 0.0 && on_segment(c, d, a))
        || (o4 == 0.0 && on_segment(c, d, b))
}

/// First pair of non-adjacent ring segments that touch, if any. Rings here have a few hundred
/// vertices at most, so the quadratic scan (with a cheap box reject) is fast enough.
fn ring_self_intersection(pts: &[Coord<f64>]) -> Option<(usize, usize)> {
    let n = pts.len() - 1; // segments
    for i in 0..n {
        let (a, b) = (pts[i], pts[i + 1]);
        for j in i + 1..n {
            // Neighbouring segments share a vertex by construction (first and last too).
            if j == i + 1 || (i == 0 && j == n - 1) {
                continue;
            }
            let (c, d) = (pts[j], pts[j + 1]);
            if a.x.max(b.x) < c.x.min(d.x)
                || c.x.max(d.x) < a.x.min(b.x)
                || a.y.max(b.y) < c.y.min(d.y)
                || c.y.max(d.y) < a.y.min(b.y)
            {
                continue;
            }
            if segments_touch(a, b, c, d) {
                return Some((i, j));
            }
        }
    }
    None
}

/// The point reach queries and listings use for a feature: the point itself, the middle of a
/// line (by length), or a point guaranteed inside a polygon.
pub fn anchor_of(g: &Geometry<f64>) -> [f64; 2] {
    let p = match g {
        Geometry::Point(p) => Some(*p),
        Geometry::LineString(l) => line_middle(std::slice::from_ref(l)),
        Geometry::MultiLineString(m) => line_middle(&m.0),
        Geometry::MultiPoint(m) => {
            let n = m.0.len().max(1) as f64;
            let mean =
                m.0.iter()
                    .fold([0.0, 0.0], |s, p| [s[0] + p.x() / n, s[1] + p.y() / n]);
            m.0.iter()
                .min_by(|a, b| {
                    haversine_m(mean, [a.x(), a.y()]).total_cmp(&haversine_m(mean, [b.x(), b.y()]))
                })
                .copied()
        }
        other => other.interior_point(),
    };
    p.map(|p| [p.x(), p.y()]).unwrap_or([f64::NAN, f64::NAN])
}

fn line_middle(lines: &[LineString<f64>]) -> Option<Point<f64>> {
    let segs: Vec<([f64; 2], [f64; 2], f64)> = lines
        .iter()
        .flat_map(|l| l.lines())
        .map(|s| {
            let (a, b) = ([s.start.x, s.start.y], [s.end.x, s.end.y]);
            (a, b, haversine_m(a, b))
        })
        .collect();
    let total: f64 = segs.iter().map(|s| s.2).sum();
    let first = lines.iter().find_map(|l| l.0.first())?;
    if total == 0.0 {
        return Some(Point(*first));
    }
    let mut left = total / 2.0;
    for (a, b, len) in &segs {
        if left <= *len {
            let t = if *len > 0.0 { left / len } else { 0.0 };
            return Some(Point::new(
                a[0] + t * (b[0] - a[0]),
                a[1] + t * (b[1] - a[1]),
            ));
        }
        left -= len;
    }
    segs.last().map(|s| Point::new(s.1[0], s.1[1]))
}

/// (min lon, min lat, max lon, max lat) of a geometry.
pub fn bbox_of(g: &Geometry<f64>) -> [f64; 4] {
    g.bounding_rect()
        .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
        .unwrap_or([f64::NAN; 4])
}

/// Geodesic (great-circle) distance in metres from `p` to the nearest point of `g`; 0 inside a
/// polygon. The nearest point on a segment is found in a local frame centred on `p`, which is
/// exact to well under a metre at city scale.
pub fn distance_m(g: &Geometry<f64>, p: [f64; 2]) -> f64 {
    match g {
        Geometry::Point(q) => haversine_m(p, [q.x(), q.y()]),
        Geometry::MultiPoint(m) => {
            m.0.iter()
                .map(|q| haversine_m(p, [q.x(), q.y()]))
                .fold(f64::INFINITY, f64::min)
        }
        Geometry::LineString(l) => line_distance(l, p),
        Geometry::MultiLineString(m) => {
            m.0.iter()
                .map(|l| line_distance(l, p))
                .fold(f64::INFINITY, f64::min)
        }
        Geometry::Polygon(poly) => polygon_distance(poly, p),
        Geometry::MultiPolygon(m) => {
            m.0.iter()
                .map(|poly| polygon_distance(poly, p))
                .fold(f64::INFINITY, f64::min)
        }
        Geometry::Line(l) => segment_distance(p, [l.start.x, l.start.y], [l.end.x, l.end.y]),
        Geometry::Rect(r) => polygon_distance(&r.to_polygon(), p),
        Geometry::Triangle(t) => polygon_distance(&t.to_polygon(), p),
        Geometry::GeometryCollection(c) => {
            c.0.iter()
                .map(|g| distance_m(g, p))
                .fold(f64::INFINITY, f64::min)
        }
    }
}

fn line_distance(l: &LineString<f64>, p: [f64; 2]) -> f64 {
    if l.0.len() == 1 {
        return haversine_m(p, [l.0[0].x, l.0[0].y]);
    }
    l.lines()
        .map(|s| segment_distance(p, [s.start.x, s.start.y], [s.end.x, s.end.y]))
        .fold(f64::INFINITY, f64::min)
}

fn polygon_distance(poly: &Polygon<f64>, p: [f64; 2]) -> f64 {
    if poly.intersects(&Point::new(p[0], p[1])) {
        return 0.0;
    }
    std::iter::once(poly.exterior())
        .chain(poly.interiors())
        .map(|r| line_distance(r, p))
        .fold(f64::INFINITY, f64::min)
}

fn segment_distance(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let frame = LocalFrame::new(p);
    let (a2, b2) = (frame.to_xy(a), frame.to_xy(b));
    let d = [b2[0] - a2[0], b2[1] - a2[1]];
    let len2 = d[0] * d[0] + d[1] * d[1];
    let t = if len2 > 0.0 {
        (-(a2[0] * d[0] + a2[1] * d[1]) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    haversine_m(p, frame.to_lonlat([a2[0] + t * d[0], a2[1] + t * d[1]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(pts: &[[f64; 2]]) -> Vec<Coord<f64>> {
        pts.iter().map(|p| Coord { x: p[0], y: p[1] }).collect()
    }

    #[test]
    fn bow_tie_ring_is_self_intersecting() {
        let r = ring(&[
            [113.6, 34.7],
            [113.7, 34.8],
            [113.7, 34.7],
            [113.6, 34.8],
            [113.6, 34.7],
        ]);
        assert!(ring_self_intersection(&r).is_some());
        let sq = ring(&[
            [113.6, 34.7],
            [113.7, 34.7],
            [113.7, 34.8],
            [113.6, 34.8],
            [113.6, 34.7],
        ]);
        assert!(ring_self_intersection(&sq).is_none());
        assert!(signed_area(&sq) > 0.0);
    }

    #[test]
    fn line_anchor_is_the_middle_by_length() {
        let g: Geometry<f64> = LineString::from(vec![(113.6, 34.7), (113.7, 34.7)]).into();
        let a = anchor_of(&g);
        assert!((a[0] - 113.65).abs() < 1e-9 && (a[1] - 34.7).abs() < 1e-12);
    }

    #[test]
    fn distance_to_a_segment_is_perpendicular() {
        let g: Geometry<f64> = LineString::from(vec![(113.6, 34.7), (113.7, 34.7)]).into();
        let d = distance_m(&g, [113.65, 34.71]);
        let expect = haversine_m([113.65, 34.7], [113.65, 34.71]);
        assert!((d - expect).abs() < 0.5, "{d} vs {expect}");
    }
}
