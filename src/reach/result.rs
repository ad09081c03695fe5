//! What a reach query answers: reached features with times and legs, band polygons, counts and
//! areas, and the metadata that says how it was computed.

use super::search::{Step, TransitParams};
use super::{BandForm, Mode, ReachRequest, ResolvedOrigin};
use crate::catalog::{Feature, FeatureKind};
use crate::city::City;
use crate::network::streets::StreetModelInfo;
use crate::output::geojson::{self, round_position};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// One leg of an itinerary, in the order travelled.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Leg {
    /// On the streets (walk, bike or drive).
    Street {
        mode: Mode,
        minutes: f64,
        from: String,
        to: String,
        /// The way travelled, `[lon, lat]` points from start to end (a straight line under
        /// the crow-fly street model), so a map can draw the itinerary.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        path: Vec<[f64; 2]>,
    },
    /// Waiting at a stop (half the headway, plus the transfer penalty after a ride).
    Wait {
        minutes: f64,
        stop: String,
        #[serde(skip_serializing_if = "is_zero")]
        transfer_penalty_minutes: f64,
    },
    /// On the feeds' timetable to a stop: access walk, real waits and rides, at the selected
    /// percentile of travel time.
    Timetable {
        to: String,
        minutes: f64,
        percentile: u8,
        /// The departure `journey` is for: the query's, or the middle minute of its window.
        leaving: String,
        /// Rides and walks between stops with their clock times, e.g.
        /// `14:03 board T1 at Mercado → 14:21 alight at Rodoviária`.
        journey: Vec<String>,
    },
    /// On a vehicle.
    Ride {
        route: String,
        route_id: String,
        from: String,
        to: String,
        stops: usize,
        minutes: f64,
        #[serde(skip_serializing_if = "Option::is_none")]
        scenario: Option<String>,
        /// The stops passed, boarding stop to alighting stop, as `[lon, lat]` points.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        path: Vec<[f64; 2]>,
    },
}

/// A two-point path, with coordinates rounded like every other geometry of the answer.
fn straight(a: [f64; 2], b: [f64; 2]) -> Vec<[f64; 2]> {
    vec![round_position(a), round_position(b)]
}

/// The stops a ride passes: the first run of `hops + 1` pattern positions from `from` to `to`
/// (a loop pattern may visit a stop twice).
fn ride_path(city: &City, pattern: usize, from: u32, to: u32, hops: usize) -> Vec<[f64; 2]> {
    let stops = &city.transit.patterns[pattern].stops;
    let at = |s: u32| round_position(city.transit.stops[s as usize].lonlat);
    (0..stops.len())
        .find(|&i| stops[i] == from && stops.get(i + hops) == Some(&to))
        .map(|i| stops[i..=i + hops].iter().map(|&s| at(s)).collect())
        .unwrap_or_else(|| vec![at(from), at(to)])
}

fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

fn minutes(secs: f64) -> f64 {
    (secs / 60.0 * 10.0).round() / 10.0
}

impl Leg {
    pub(crate) fn walk_to_feature(
        secs: f64,
        stop: [f64; 2],
        feature_id: String,
        anchor: [f64; 2],
    ) -> Leg {
        Leg::Street {
            mode: Mode::Walk,
            minutes: minutes(secs.max(0.0)),
            from: "stop".into(),
            to: feature_id,
            path: straight(stop, anchor),
        }
    }

    pub(crate) fn walk_direct(
        mode: Mode,
        secs: f64,
        origin: &ResolvedOrigin,
        feature_id: String,
        anchor: [f64; 2],
    ) -> Leg {
        let mode = match mode {
            Mode::Transit => Mode::Walk,
            m => m,
        };
        Leg::Street {
            mode,
            minutes: minutes(secs),
            from: origin.name.clone(),
            to: feature_id,
            path: straight(origin.lonlat, anchor),
        }
    }

    pub fn minutes(&self) -> f64 {
        match self {
            Leg::Street { minutes, .. }
            | Leg::Wait { minutes, .. }
            | Leg::Ride { minutes, .. }
            | Leg::Timetable { minutes, .. } => *minutes,
        }
    }

    /// "walk 5", "wait 3", "Line 2 ×4 stops 8": the compact form planners read in a table.
    pub fn short(&self) -> String {
        match self {
            Leg::Street { mode, minutes, .. } => format!("{mode} {minutes}"),
            Leg::Wait { minutes, .. } => format!("wait {minutes}"),
            Leg::Timetable {
                to,
                minutes,
                percentile,
                leaving,
                journey,
            } => {
                if journey.is_empty() {
                    format!("timetable to {to} p{percentile} {minutes}")
                } else {
                    format!(
                        "timetable to {to} p{percentile} {minutes} (leaving {leaving}: {})",
                        journey.join("; ")
                    )
                }
            }
            Leg::Ride {
                route,
                stops,
                minutes,
                ..
            } => format!("{route} ×{stops} stops {minutes}"),
        }
    }
}

/// Legs of a transit itinerary up to the last alighting stop.
pub(crate) fn legs_from_steps(
    city: &City,
    steps: &[Step],
    origins: &[ResolvedOrigin],
    access_origin: &[usize],
    transfer_penalty_s: f32,
) -> Vec<Leg> {
    let stop_name = |s: u32| city.transit.stops[s as usize].name.clone();
    let mut legs = Vec::new();
    let mut prev_time = 0.0f32;
    let mut ridden = false;
    for step in steps {
        match *step {
            Step::Access { stop, arrive_s } => {
                prev_time = arrive_s;
                if arrive_s < 3.0 {
                    // The origin is the stop itself: no walk to report.
                    continue;
                }
                let origin = access_origin
                    .get(stop as usize)
                    .and_then(|&o| origins.get(o));
                let stop_at = city.transit.stops[stop as usize].lonlat;
                legs.push(Leg::Street {
                    mode: Mode::Walk,
                    minutes: minutes(arrive_s as f64),
                    from: origin.map(|o| o.name.clone()).unwrap_or_default(),
                    to: stop_name(stop),
                    path: origin
                        .map(|o| straight(o.lonlat, stop_at))
                        .unwrap_or_default(),
                });
                prev_time = arrive_s;
            }
            Step::Ride {
                pattern,
                from_stop,
                to_stop,
                board_s,
                alight_s,
                wait_s,
                hops,
            } => {
                let penalty = if ridden {
                    transfer_penalty_s as f64
                } else {
                    0.0
                };
                legs.push(Leg::Wait {
                    minutes: minutes(wait_s as f64),
                    stop: stop_name(from_stop),
                    transfer_penalty_minutes: minutes(penalty),
                });
                let p = &city.transit.patterns[pattern];
                let route = &city.transit.routes[p.route];
                legs.push(Leg::Ride {
                    route: route.display_name(),
                    route_id: route.id.clone(),
                    from: stop_name(from_stop),
                    to: stop_name(to_stop),
                    stops: hops,
                    minutes: minutes((alight_s - board_s) as f64),
                    scenario: p.scenario.map(|s| city.transit.scenarios[s].id.clone()),
                    path: ride_path(city, pattern, from_stop, to_stop, hops),
                });
                prev_time = alight_s;
                ridden = true;
            }
            Step::Transfer {
                from_stop,
                to_stop,
                secs,
            } => {
                legs.push(Leg::Street {
                    mode: Mode::Walk,
                    minutes: minutes(secs as f64),
                    from: stop_name(from_stop),
                    to: stop_name(to_stop),
                    path: straight(
                        city.transit.stops[from_stop as usize].lonlat,
                        city.transit.stops[to_stop as usize].lonlat,
                    ),
                });
                prev_time += secs;
            }
        }
    }
    let _ = prev_time;
    legs
}

/// A catalog feature the query reaches.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReachedFeature {
    #[serde(skip)]
    pub index: usize,
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub kind: FeatureKind,
    pub status: crate::catalog::Status,
    pub minutes: f64,
    /// Upper limit (minutes) of the band the feature falls in.
    pub band: f64,
    pub legs: Vec<Leg>,
    /// Minutes at each percentile asked for (`null` beyond the budget); timetable queries only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minutes_by_percentile: Option<BTreeMap<String, Option<f64>>>,
    #[serde(skip)]
    pub anchor: [f64; 2],
}

impl ReachedFeature {
    pub(crate) fn new(index: usize, f: &Feature, secs: f64, bands: &[f64], legs: Vec<Leg>) -> Self {
        let m = secs / 60.0;
        let band = bands
            .iter()
            .copied()
            .find(|b| m <= *b)
            .unwrap_or(f64::INFINITY);
        ReachedFeature {
            index,
            id: f.id.clone(),
            name_zh: f.name_zh.clone(),
            name_en: f.name_en.clone(),
            kind: f.kind,
            status: f.status,
            minutes: (m * 10.0).round() / 10.0,
            band,
            legs,
            minutes_by_percentile: None,
            anchor: f.anchor,
        }
    }

    /// "walk 5 → wait 2 → Line 2 ×4 stops 8 → walk 3".
    pub fn legs_text(&self) -> String {
        self.legs
            .iter()
            .map(Leg::short)
            .collect::<Vec<_>>()
            .join(" → ")
    }
}

/// One travel-time band: its limits, its polygon and what falls inside.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub min_minutes: f64,
    pub max_minutes: f64,
    pub geometry: Option<geo::MultiPolygon<f64>>,
    pub area_km2: Option<f64>,
}

/// The scenario an answer is for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioRef {
    pub id: String,
    pub name: String,
    /// For a scenario given with the request: the named scenario it builds on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    /// For a scenario given with the request: the content hash it is cached under.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    /// For a scenario given with the request: its modifications, as applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modifications: Option<serde_json::Value>,
}

/// How an answer was computed: the query as the engine understood it, the scenario, the street
/// model and the transit search. Written into every answer; the table reads it directly.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReachMetadata {
    pub mode: Mode,
    pub minutes: f64,
    pub bands: Vec<f64>,
    pub band_form: BandForm,
    pub scenario: ScenarioRef,
    pub street_model: StreetModelInfo,
    /// `None` (JSON null) for walk, bike and drive.
    pub transit: Option<TransitInfo>,
    pub origins: Vec<ResolvedOrigin>,
    pub data: String,
}

/// The transit search behind an answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum TransitInfo {
    Steady(SteadyInfo),
    Timed(TimedMetadata),
}

/// The steady-state (frequency-based) search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SteadyInfo {
    pub wait: String,
    pub transfer_penalty_minutes: f32,
    pub service: String,
}

/// The timetable search (RAPTOR) on a service day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimedMetadata {
    pub service: String,
    pub depart: String,
    pub calendar_day: String,
    pub window_minutes: u32,
    pub departures: u32,
    pub percentiles: Vec<u8>,
    pub percentile: u8,
    pub draws: u32,
    pub draws_note: String,
    pub samples_per_stop: usize,
    pub transfer_penalty_minutes: u32,
    pub max_rides: usize,
    pub legs_leave_at: String,
    pub legs_note: String,
    /// Set when the query gave no departure and the network's default was used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub depart_note: Option<String>,
}

/// The whole answer to a reach query.
#[derive(Debug, Clone)]
pub struct ReachResult {
    pub metadata: ReachMetadata,
    pub origins: Vec<ResolvedOrigin>,
    pub bands: Vec<Band>,
    pub band_form: BandForm,
    pub reached: Vec<ReachedFeature>,
}

impl ReachResult {
    pub(crate) fn assemble(
        city: &City,
        req: &ReachRequest,
        scenario: usize,
        origins: Vec<ResolvedOrigin>,
        reached: Vec<ReachedFeature>,
        bands: Vec<Band>,
        street: StreetModelInfo,
    ) -> ReachResult {
        let sc = &city.transit.scenarios[scenario];
        let transit: Option<&TransitParams> = (req.mode == Mode::Transit).then_some(&city.params);
        let metadata = ReachMetadata {
            mode: req.mode,
            minutes: req.budget_minutes(),
            bands: req.bands.clone(),
            band_form: req.band_form,
            scenario: ScenarioRef {
                id: sc.id.clone(),
                name: sc.name.clone(),
                base: None,
                hash: None,
                modifications: None,
            },
            street_model: street,
            transit: transit.map(|p| {
                TransitInfo::Steady(SteadyInfo {
                    wait: format!(
                        "{} × headway (expected wait for a random arrival)",
                        p.wait_factor
                    ),
                    transfer_penalty_minutes: p.transfer_penalty_s / 60.0,
                    service: "frequency-based daytime service (06:00–23:00 headways)".into(),
                })
            }),
            origins: origins.clone(),
            data: city.source.label(""),
        };
        ReachResult {
            metadata,
            origins,
            bands,
            band_form: req.band_form,
            reached,
        }
    }

    /// States in the metadata how the timetable search was run.
    pub(crate) fn set_timed(&mut self, t: &super::TimedInfo) {
        let note = if t.draws > 1 {
            format!(
                "random phases of frequency-based service, seed {}",
                super::DRAW_SEED
            )
        } else {
            "no frequency-based service to draw: one draw".to_string()
        };
        self.metadata.transit = Some(TransitInfo::Timed(TimedMetadata {
            service: "the feeds' timetables (RAPTOR on the service day)".into(),
            depart: t.depart.clone(),
            calendar_day: crate::network::timetable::show_date(t.date),
            window_minutes: t.window_min,
            departures: t.window_min.max(1),
            percentiles: t.percentiles.clone(),
            percentile: t.percentile,
            draws: t.draws,
            draws_note: note,
            samples_per_stop: t.samples,
            transfer_penalty_minutes: 0,
            max_rides: t.max_rides,
            legs_leave_at: t.legs_depart.clone(),
            legs_note: "legs show the clock times of one departure: the query's, or the middle minute of its window".into(),
            depart_note: None,
        }));
    }

    /// Reached-feature counts per band and kind.
    pub fn counts(&self) -> BTreeMap<String, BTreeMap<&'static str, usize>> {
        let mut out: BTreeMap<String, BTreeMap<&'static str, usize>> = BTreeMap::new();
        for b in &self.bands {
            let key = band_key(b.max_minutes);
            let entry = out.entry(key).or_default();
            for k in FeatureKind::ALL {
                entry.insert(k.as_str(), 0);
            }
        }
        for r in &self.reached {
            let in_band = |b: &Band| match self.band_form {
                BandForm::Disjoint => r.minutes > b.min_minutes - 1e-9 && r.band == b.max_minutes,
                BandForm::Cumulative => r.minutes <= b.max_minutes,
            };
            for b in self.bands.iter().filter(|b| in_band(b)) {
                *out.entry(band_key(b.max_minutes))
                    .or_default()
                    .entry(r.kind.as_str())
                    .or_default() += 1;
            }
        }
        out
    }

    /// The answer as one GeoJSON FeatureCollection: band polygons first (largest limit first,
    /// so smaller bands draw on top), then every reached feature as a point with its minutes,
    /// band and legs, and the metadata as a foreign member.
    pub fn to_geojson(&self) -> Value {
        self.geojson_doc(true)
    }

    /// The same document as [`Self::to_geojson`] as text, with the band geometries written
    /// straight from their coordinates rather than built as `Value`s first (they are most of an
    /// isochrone's bytes, and a `Value` per coordinate pair is most of its serialization time).
    pub fn to_geojson_string(&self) -> String {
        let doc = self.geojson_doc(false);
        let geometries: Vec<&geo::MultiPolygon<f64>> = self
            .bands
            .iter()
            .rev()
            .filter_map(|b| b.geometry.as_ref())
            .collect();
        serde_json::to_string(&DocWithBands {
            doc: &doc,
            geometries: &geometries,
        })
        .unwrap_or_default()
    }

    /// The GeoJSON document; band geometries are `null` unless `with_geometry`.
    fn geojson_doc(&self, with_geometry: bool) -> Value {
        let mut features = Vec::new();
        let counts = self.counts();
        for b in self.bands.iter().rev() {
            let Some(g) = &b.geometry else { continue };
            features.push(json!({
                "type": "Feature",
                "id": format!("band-{}", band_key(b.max_minutes)),
                "geometry": if with_geometry { multipolygon_json(g) } else { Value::Null },
                "properties": {
                    "layer": "band",
                    "min_minutes": b.min_minutes,
                    "max_minutes": b.max_minutes,
                    "band_form": self.band_form,
                    "area_km2": b.area_km2,
                    "counts": counts.get(&band_key(b.max_minutes)),
                }
            }));
        }
        for r in &self.reached {
            let mut f = json!({
                "type": "Feature",
                "id": r.id,
                "geometry": geojson::point(r.anchor),
                "properties": {
                    "layer": "reached",
                    "id": r.id,
                    "name_zh": r.name_zh,
                    "name_en": r.name_en,
                    "kind": r.kind,
                    "status": r.status,
                    "minutes": r.minutes,
                    "band": r.band,
                    "legs_text": r.legs_text(),
                    "legs": r.legs,
                }
            });
            if let Some(by) = &r.minutes_by_percentile {
                f["properties"]["minutes_by_percentile"] = json!(by);
            }
            features.push(f);
        }
        for o in &self.origins {
            features.push(json!({
                "type": "Feature",
                "geometry": geojson::point(o.lonlat),
                "properties": { "layer": "origin", "name": o.name, "id": o.id, "query": o.query }
            }));
        }
        json!({
            "type": "FeatureCollection",
            "features": features,
            "metadata": self.metadata,
            "summary": {
                "reached": self.reached.len(),
                "bands": self.bands.iter().map(|b| json!({
                    "min_minutes": b.min_minutes,
                    "max_minutes": b.max_minutes,
                    "area_km2": b.area_km2,
                    "counts": counts.get(&band_key(b.max_minutes)),
                })).collect::<Vec<_>>(),
            }
        })
    }

    /// A plain-text report for planners.
    pub fn to_table(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let m = &self.metadata;
        let origins: Vec<String> = self.origins.iter().map(|o| o.name.clone()).collect();
        let _ = writeln!(
            out,
            "Reach from {} by {} within {} min — scenario {}",
            origins.join(" + "),
            m.mode,
            json!(m.minutes),
            m.scenario.id
        );
        let _ = writeln!(out, "Street model: {}", m.street_model.description);
        let _ = writeln!(out);
        let counts = self.counts();
        let _ = writeln!(
            out,
            "{:>9}  {:>9}  {:>10} {:>8} {:>13} {:>15}",
            "band", "area km²", "commercial", "cultural", "transport_hub", "free_trade_zone"
        );
        for b in &self.bands {
            let c = counts.get(&band_key(b.max_minutes));
            let get = |k: &str| c.and_then(|c| c.get(k)).copied().unwrap_or(0);
            let area = b
                .area_km2
                .map(|a| format!("{a:.1}"))
                .unwrap_or_else(|| "-".into());
            let _ = writeln!(
                out,
                "{:>9}  {:>9}  {:>10} {:>8} {:>13} {:>15}",
                format!("{}–{}", b.min_minutes, b.max_minutes),
                area,
                get("commercial"),
                get("cultural"),
                get("transport_hub"),
                get("free_trade_zone")
            );
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "{} features reached:", self.reached.len());
        for r in &self.reached {
            let _ = writeln!(
                out,
                "{:>6.1} min  [≤{:<3}] {:<15} {} ({})\n             {}",
                r.minutes,
                r.band,
                r.kind.as_str(),
                r.name_zh,
                r.name_en,
                r.legs_text()
            );
        }
        out
    }
}

pub(crate) fn band_key(max_minutes: f64) -> String {
    format!("{max_minutes}")
}

/// A reach document whose first features are the bands, in order, with `null` geometries
/// that serialize as `geometries`.
struct DocWithBands<'a> {
    doc: &'a Value,
    geometries: &'a [&'a geo::MultiPolygon<f64>],
}

impl Serialize for DocWithBands<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let Some(obj) = self.doc.as_object() else {
            return self.doc.serialize(s);
        };
        let mut m = s.serialize_map(Some(obj.len()))?;
        for (k, v) in obj {
            match (k.as_str(), v) {
                ("features", Value::Array(features)) => m.serialize_entry(
                    k,
                    &Features {
                        features,
                        geometries: self.geometries,
                    },
                )?,
                _ => m.serialize_entry(k, v)?,
            }
        }
        m.end()
    }
}

struct Features<'a> {
    features: &'a [Value],
    geometries: &'a [&'a geo::MultiPolygon<f64>],
}

impl Serialize for Features<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.features.len()))?;
        for (i, f) in self.features.iter().enumerate() {
            match (self.geometries.get(i), f.as_object()) {
                (Some(g), Some(obj)) => {
                    seq.serialize_element(&WithGeometry { obj, geometry: g })?
                }
                _ => seq.serialize_element(f)?,
            }
        }
        seq.end()
    }
}

struct WithGeometry<'a> {
    obj: &'a serde_json::Map<String, Value>,
    geometry: &'a geo::MultiPolygon<f64>,
}

impl Serialize for WithGeometry<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.obj.len()))?;
        for (k, v) in self.obj {
            if k == "geometry" {
                m.serialize_entry(k, &MultiPolygonGeoJson(self.geometry))?;
            } else {
                m.serialize_entry(k, v)?;
            }
        }
        m.end()
    }
}

/// A GeoJSON MultiPolygon serialized straight from its coordinates, rounded to 6 decimals as in
/// [`multipolygon_json`].
pub struct MultiPolygonGeoJson<'a>(pub &'a geo::MultiPolygon<f64>);

impl Serialize for MultiPolygonGeoJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        struct Ring<'a>(&'a geo::LineString<f64>);
        impl Serialize for Ring<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0 .0.iter().map(|c| round_position([c.x, c.y])))
            }
        }
        struct Poly<'a>(&'a geo::Polygon<f64>);
        impl Serialize for Poly<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(
                    std::iter::once(self.0.exterior())
                        .chain(self.0.interiors())
                        .map(Ring),
                )
            }
        }
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry(
            "coordinates",
            &self.0 .0.iter().map(Poly).collect::<Vec<_>>(),
        )?;
        m.serialize_entry("type", "MultiPolygon")?;
        m.end()
    }
}

/// GeoJSON of a MultiPolygon with coordinates rounded to 6 decimals (≈ 0.1 m).
pub use crate::output::geojson::multipolygon as multipolygon_json;
