//! The one GeoJSON geometry writer and the one rounding rule of the crate's answers.
//!
//! Computed geometry (band polygons, legs, stations, origins) is written at 6 decimals
//! (about 0.1 m), far below any position's accuracy; catalog features are written exactly as
//! the data gives them, so a round trip through the API changes nothing.

use geo::{Coord, Geometry, LineString, MultiPolygon, Polygon};
use serde_json::{json, Value};

/// How coordinates are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// As stored.
    Exact,
    /// Rounded to 6 decimals with [`round6`].
    Micro,
}

/// Rounds a coordinate to 6 decimals (≈ 0.1 m): the crate's one rounding rule for output.
pub fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// A `[lon, lat]` position rounded with [`round6`].
pub fn round_position(p: [f64; 2]) -> [f64; 2] {
    [round6(p[0]), round6(p[1])]
}

/// Any geometry as a GeoJSON geometry object.
pub fn geometry(g: &Geometry<f64>, precision: Precision) -> Value {
    let pos = |c: &Coord<f64>| -> Value {
        match precision {
            Precision::Exact => json!([c.x, c.y]),
            Precision::Micro => json!([round6(c.x), round6(c.y)]),
        }
    };
    let line = |l: &LineString<f64>| -> Value { Value::Array(l.0.iter().map(pos).collect()) };
    let poly = |p: &Polygon<f64>| -> Value {
        Value::Array(
            std::iter::once(p.exterior())
                .chain(p.interiors())
                .map(line)
                .collect(),
        )
    };
    match g {
        Geometry::Point(p) => json!({"type": "Point", "coordinates": pos(&p.0)}),
        Geometry::MultiPoint(m) => json!({"type": "MultiPoint",
            "coordinates": m.0.iter().map(|p| pos(&p.0)).collect::<Vec<_>>()}),
        Geometry::LineString(l) => json!({"type": "LineString", "coordinates": line(l)}),
        Geometry::MultiLineString(m) => json!({"type": "MultiLineString",
            "coordinates": m.0.iter().map(line).collect::<Vec<_>>()}),
        Geometry::Polygon(p) => json!({"type": "Polygon", "coordinates": poly(p)}),
        Geometry::MultiPolygon(m) => json!({"type": "MultiPolygon",
            "coordinates": m.0.iter().map(poly).collect::<Vec<_>>()}),
        Geometry::Line(l) => json!({"type": "LineString",
            "coordinates": [pos(&l.start), pos(&l.end)]}),
        Geometry::Rect(r) => json!({"type": "Polygon", "coordinates": poly(&r.to_polygon())}),
        Geometry::Triangle(t) => json!({"type": "Polygon", "coordinates": poly(&t.to_polygon())}),
        Geometry::GeometryCollection(c) => json!({"type": "GeometryCollection",
            "geometries": c.0.iter().map(|g| geometry(g, precision)).collect::<Vec<_>>()}),
    }
}

/// A band polygon (or any MultiPolygon) at 6 decimals.
pub fn multipolygon(mp: &MultiPolygon<f64>) -> Value {
    let mut v = json!({"type": "MultiPolygon"});
    v["coordinates"] = Value::Array(
        mp.0.iter()
            .map(|p| {
                Value::Array(
                    std::iter::once(p.exterior())
                        .chain(p.interiors())
                        .map(|l| {
                            Value::Array(
                                l.0.iter()
                                    .map(|c| json!([round6(c.x), round6(c.y)]))
                                    .collect(),
                            )
                        })
                        .collect(),
                )
            })
            .collect(),
    );
    v
}

/// A GeoJSON Point at 6 decimals.
pub fn point(p: [f64; 2]) -> Value {
    json!({"type": "Point", "coordinates": round_position(p)})
}

/// A GeoJSON LineString at 6 decimals.
pub fn line_string(points: &[[f64; 2]]) -> Value {
    let coords: Vec<[f64; 2]> = points.iter().map(|p| round_position(*p)).collect();
    json!({"type": "LineString", "coordinates": coords})
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn rounding_is_to_six_decimals() {
        assert_eq!(round6(113.123_456_789), 113.123_457);
        assert_eq!(round6(-0.000_000_4), -0.0);
        assert_eq!(round_position([1.000_000_5, 2.0]), [1.000_001, 2.0]);
    }

    #[test]
    fn a_polygon_with_a_hole_keeps_its_rings_in_order() {
        let p = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 0.0, y: 0.0)],
            interiors: [[(x: 1.0, y: 1.0), (x: 2.0, y: 1.0), (x: 2.0, y: 1.000_000_7), (x: 1.0, y: 1.0)]],
        );
        let mp = MultiPolygon(vec![p.clone()]);
        let want = json!({"type": "MultiPolygon", "coordinates": [[
            [[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 0.0]],
            [[1.0, 1.0], [2.0, 1.0], [2.0, 1.000_001], [1.0, 1.0]],
        ]]});
        assert_eq!(multipolygon(&mp), want);
        assert_eq!(
            geometry(&Geometry::MultiPolygon(mp.clone()), Precision::Micro),
            want
        );
        let exact = geometry(&Geometry::Polygon(p), Precision::Exact);
        assert_eq!(exact["coordinates"][1][2], json!([2.0, 1.000_000_7]));
    }

    #[test]
    fn points_and_lines() {
        assert_eq!(
            point([113.1234567, 34.7]),
            json!({"type": "Point", "coordinates": [113.123457, 34.7]})
        );
        assert_eq!(
            line_string(&[[0.0, 0.0], [1.0, 1.000_000_2]]),
            json!({"type": "LineString", "coordinates": [[0.0, 0.0], [1.0, 1.0]]})
        );
    }
}
