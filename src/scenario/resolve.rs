//! Checks modifications against the base network before anything is applied, and reports every
//! problem at once: unknown stops and routes (with suggestions), headways and speeds out of
//! range (speeds against a per-mode limit), stops outside the city, too many modifications.

use super::model::{AddLine, LineMode, Modification, NewStop, StopRef};
use super::{Problem, ScenarioError, MAX_MODIFICATIONS};
use crate::catalog::Catalog;
use crate::network::scenario::{ScenarioLink, ScenarioStop};
use crate::network::transit::{RouteKind, TransitNetwork};

/// The most stops one new line may have.
pub const MAX_LINE_STOPS: usize = 200;
/// Headways up to a day, minutes.
pub const MAX_HEADWAY_MIN: f64 = 1440.0;
/// A stated transfer may take up to an hour, minutes.
pub const MAX_TRANSFER_MIN: f64 = 60.0;
/// Speed factors within [1/10, 10].
pub const MAX_SPEED_FACTOR: f64 = 10.0;

/// What modifications are checked against.
pub struct Context<'a> {
    pub net: &'a TransitNetwork,
    /// Scenario index whose elements form the base.
    pub base: usize,
    /// The area new stops must lie in (`None`: anywhere on Earth).
    pub area: Option<[f64; 4]>,
    /// For suggestions beside the stop names.
    pub catalog: Option<&'a Catalog>,
    /// A named scenario file: only additions can be overlaid on the shared network.
    pub named: bool,
}

/// A stop of a new line after checking: by id (existing, or added earlier), or new.
#[derive(Debug, Clone, PartialEq)]
pub enum LineStop {
    Id(String),
    New(ScenarioStop),
}

/// A checked modification, ready to apply.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    RemoveRoute {
        route: usize,
    },
    RemoveStops {
        stops: Vec<u32>,
        route: Option<usize>,
    },
    AdjustSpeed {
        route: usize,
        factor: Option<f64>,
        speed_kmh: Option<f64>,
        between: Option<(u32, u32)>,
    },
    AdjustFrequency {
        route: usize,
        headway_min: f64,
        /// Share of the 06:00–23:00 service day the new headway runs (1: all day).
        share: f64,
    },
    AddLine {
        link: Box<ScenarioLink>,
        stops: Vec<LineStop>,
    },
    AddTransfer {
        from: String,
        to: String,
        secs: Option<f32>,
    },
}

/// Modifications in application order, each with its index in the list as given.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub ops: Vec<(usize, Op)>,
}

struct Checker<'a, 'b> {
    ctx: &'b Context<'a>,
    problems: Vec<Problem>,
    index: usize,
    kind: &'static str,
    /// Stops added by earlier add-line modifications: (id, name).
    added: Vec<(String, String)>,
}

impl Checker<'_, '_> {
    fn problem(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            index: Some(self.index),
            kind: self.kind.to_string(),
            field: field.into(),
            message: message.into(),
            suggestions: Vec::new(),
        });
    }

    fn problem_with(&mut self, field: String, message: String, suggestions: Vec<String>) {
        self.problems.push(Problem {
            index: Some(self.index),
            kind: self.kind.to_string(),
            field,
            message,
            suggestions,
        });
    }

    fn stop_active(&self, i: u32) -> bool {
        TransitNetwork::active(self.ctx.net.stops[i as usize].scenario, self.ctx.base)
    }

    /// An existing stop of the base by id or name (for a new line, also stops added before).
    fn stop(&mut self, field: String, text: &str, allow_added: bool) -> Option<String> {
        let net = self.ctx.net;
        if let Some(i) = net.stop_by_id(text) {
            if self.stop_active(i) {
                return Some(text.to_string());
            }
        }
        if allow_added {
            if let Some((id, _)) = self.added.iter().find(|(id, n)| id == text || n == text) {
                return Some(id.clone());
            }
        }
        let by_name = net.stops.iter().enumerate().find(|(i, s)| {
            self.stop_active(*i as u32) && (s.name == text || s.name_en.as_deref() == Some(text))
        });
        if let Some((_, s)) = by_name {
            return Some(s.id.clone());
        }
        let suggestions = self.stop_suggestions(text);
        self.problem_with(field, format!("unknown stop '{text}'"), suggestions);
        None
    }

    fn stop_index(&mut self, field: String, text: &str) -> Option<u32> {
        let id = self.stop(field, text, false)?;
        self.ctx.net.stop_by_id(&id)
    }

    /// Stop names sharing the most character pairs with the text, then catalog matches that
    /// are also stop names.
    fn stop_suggestions(&self, text: &str) -> Vec<String> {
        let grams = |s: &str| -> Vec<(char, char)> {
            let c: Vec<char> = s.to_lowercase().chars().collect();
            if c.len() == 1 {
                return vec![(c[0], ' ')];
            }
            c.windows(2).map(|w| (w[0], w[1])).collect()
        };
        let want = grams(text);
        let mut scored: Vec<(usize, &str)> = Vec::new();
        for (i, s) in self.ctx.net.stops.iter().enumerate() {
            if !self.stop_active(i as u32) {
                continue;
            }
            let best = [
                Some(s.name.as_str()),
                s.name_en.as_deref(),
                Some(s.id.as_str()),
            ]
            .into_iter()
            .flatten()
            .map(|n| {
                let g = grams(n);
                want.iter().filter(|w| g.contains(w)).count()
            })
            .max()
            .unwrap_or(0);
            if best > 0 && !scored.iter().any(|(_, n)| *n == s.name) {
                scored.push((best, s.name.as_str()));
            }
        }
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        let mut out: Vec<String> = scored.iter().take(5).map(|s| s.1.to_string()).collect();
        if let Some(cat) = self.ctx.catalog {
            for hit in cat.search(text, 5).hits {
                let name = &cat.features()[hit.feature].name_zh;
                let is_stop = self.ctx.net.stops.iter().any(|s| &s.name == name);
                if is_stop && !out.contains(name) && out.len() < 8 {
                    out.push(name.clone());
                }
            }
        }
        out
    }

    /// A route active in the base, by id, short name or long name.
    fn route(&mut self, field: &str, text: &str) -> Option<usize> {
        let net = self.ctx.net;
        let lower = text.to_lowercase();
        let found = net.routes.iter().position(|r| {
            TransitNetwork::active(r.scenario, self.ctx.base)
                && (r.id == text
                    || r.short_name == text
                    || r.long_name.to_lowercase() == lower
                    || r.short_name.to_lowercase() == lower)
        });
        if found.is_none() {
            let mut names: Vec<String> = net
                .routes
                .iter()
                .filter(|r| TransitNetwork::active(r.scenario, self.ctx.base))
                .filter(|r| {
                    let d = r.display_name().to_lowercase();
                    lower.chars().any(|c| !c.is_whitespace() && d.contains(c))
                })
                .map(|r| r.short_name.clone())
                .filter(|n| !n.is_empty())
                .collect();
            names.truncate(6);
            self.problem_with(
                field.to_string(),
                format!("unknown route '{text}' (a route id, or its short or long name)"),
                names,
            );
        }
        found
    }

    fn finite_in(&mut self, field: &str, v: f64, lo_open: f64, hi: f64, unit: &str) -> bool {
        if !(v.is_finite() && v > lo_open && v <= hi) {
            self.problem(field, format!("{v} {unit}: must be > {lo_open} and ≤ {hi}"));
            return false;
        }
        true
    }

    fn inside(&mut self, field: String, p: [f64; 2]) {
        let valid =
            p[0].is_finite() && p[1].is_finite() && p[0].abs() <= 180.0 && p[1].abs() <= 90.0;
        if !valid {
            self.problem(field, "lon/lat is not a valid coordinate");
            return;
        }
        if let Some(a) = self.ctx.area {
            if !(p[0] >= a[0] && p[0] <= a[2] && p[1] >= a[1] && p[1] <= a[3]) {
                self.problem(
                    field,
                    format!(
                        "{}, {} is outside the city's area ({:.3},{:.3} – {:.3},{:.3})",
                        p[0], p[1], a[0], a[1], a[2], a[3]
                    ),
                );
            }
        }
    }

    fn add_line(&mut self, l: &AddLine) -> Option<Op> {
        let before = self.problems.len();
        let line_id =
            l.id.clone()
                .unwrap_or_else(|| format!("line-{}", self.index));
        if line_id.is_empty()
            || line_id.len() > 64
            || !line_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            self.problem("id", "must be 1–64 letters, digits, '-' or '_'");
        }
        for (field, v) in [
            ("name", &l.name),
            ("name_zh", &l.name_zh),
            ("name_en", &l.name_en),
        ] {
            if v.as_ref().is_some_and(|s| s.chars().count() > 200) {
                self.problem(field, "longer than 200 characters");
            }
        }
        if let Some(c) = &l.color {
            let ok =
                c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|x| x.is_ascii_hexdigit());
            if !ok {
                self.problem("color", format!("'{c}' is not #RRGGBB"));
            }
        }
        if l.stops.len() < 2 || l.stops.len() > MAX_LINE_STOPS {
            self.problem(
                "stops",
                format!("{} stops: a line has 2 to {MAX_LINE_STOPS}", l.stops.len()),
            );
        }
        let mut stops = Vec::new();
        let mut new_here: Vec<(String, String)> = Vec::new();
        for (k, s) in l.stops.iter().enumerate() {
            let field = format!("stops[{k}]");
            match s {
                StopRef::Existing(text) => {
                    let found = new_here
                        .iter()
                        .find(|(id, n)| id == text || n == text)
                        .map(|(id, _)| id.clone());
                    let id = match found {
                        Some(id) => Some(id),
                        None => self.stop(field, text, true),
                    };
                    if let Some(id) = id {
                        stops.push(LineStop::Id(id));
                    }
                }
                StopRef::New(n) => {
                    if let Some(stop) = self.new_stop(field, n, k) {
                        new_here.push((stop.id.clone(), stop.name.clone()));
                        stops.push(LineStop::New(stop));
                    }
                }
            }
        }
        let same_as_next = stops.windows(2).position(|w| match (&w[0], &w[1]) {
            (LineStop::Id(a), LineStop::Id(b)) => a == b,
            _ => false,
        });
        if let Some(k) = same_as_next {
            self.problem(format!("stops[{}]", k + 1), "the same stop twice in a row");
        }
        match l.headway_min {
            None => self.problem("headway_min", "required: minutes between departures"),
            Some(h) => {
                self.finite_in("headway_min", h, 0.0, MAX_HEADWAY_MIN, "min");
            }
        }
        match (&l.speed_kmh, &l.run_min) {
            (None, None) => self.problem("speed_kmh", "give speed_kmh or run_min (per hop)"),
            (Some(_), Some(_)) => self.problem("run_min", "give speed_kmh or run_min, not both"),
            (Some(v), None) => {
                let max = l.mode.max_speed_kmh();
                if v.is_finite() && *v > max {
                    self.problem(
                        "speed_kmh",
                        format!(
                            "{v} km/h is above what a {} line can average (at most {max} km/h)",
                            l.mode.as_str()
                        ),
                    );
                } else {
                    self.finite_in("speed_kmh", *v, 0.0, max, "km/h");
                }
            }
            (None, Some(r)) => {
                if r.len() + 1 != l.stops.len() {
                    self.problem(
                        "run_min",
                        format!(
                            "{} run times for {} stops: one per hop",
                            r.len(),
                            l.stops.len()
                        ),
                    );
                }
                for (k, v) in r.iter().enumerate() {
                    self.finite_in(&format!("run_min[{k}]"), *v, 0.0, 600.0, "min");
                }
            }
        }
        if !(l.dwell_s.is_finite() && (0.0..=3600.0).contains(&l.dwell_s)) {
            self.problem("dwell_s", format!("{} s: must be in [0, 3600]", l.dwell_s));
        }
        if !(l.track_factor.is_finite() && (1.0..=3.0).contains(&l.track_factor)) {
            self.problem(
                "track_factor",
                format!("{}: must be in [1, 3]", l.track_factor),
            );
        }
        for (k, p) in l.via.iter().enumerate() {
            self.inside(format!("via[{k}]"), *p);
        }
        if self.problems.len() > before {
            return None;
        }
        self.added.extend(new_here);
        let name_zh = l.name_zh.clone().unwrap_or_default();
        let name_en = l
            .name_en
            .clone()
            .or_else(|| l.name.clone())
            .unwrap_or_default();
        let ids = stops
            .iter()
            .map(|s| match s {
                LineStop::Id(id) => id.clone(),
                LineStop::New(n) => n.id.clone(),
            })
            .collect();
        let link = Box::new(ScenarioLink {
            id: line_id,
            name_zh,
            name_en,
            route_type: l.mode.route_type(),
            stops: ids,
            via: l.via.clone(),
            track_factor: l.track_factor,
            average_speed_kmh: l.speed_kmh.unwrap_or(0.0),
            run_min: l.run_min.clone().unwrap_or_default(),
            dwell_s: l.dwell_s,
            headway_min: l.headway_min.unwrap_or(0.0),
            color: l.color.clone(),
            alignment: l.alignment.clone(),
            reasoning: l.reasoning.clone(),
            source: l.source.clone(),
        });
        Some(Op::AddLine { link, stops })
    }

    fn new_stop(&mut self, field: String, n: &NewStop, k: usize) -> Option<ScenarioStop> {
        let before = self.problems.len();
        let id =
            n.id.clone()
                .unwrap_or_else(|| format!("new-{}-{k}", self.index));
        if id.is_empty() || id.len() > 64 {
            self.problem(format!("{field}.id"), "must be 1–64 characters");
        }
        let taken = self.ctx.net.stop_by_id(&id).is_some() || self.added.iter().any(|a| a.0 == id);
        if taken {
            self.problem(
                format!("{field}.id"),
                format!("a stop '{id}' already exists"),
            );
        }
        if n.name.trim().is_empty() || n.name.chars().count() > 200 {
            self.problem(format!("{field}.name"), "must be 1–200 characters");
        }
        self.inside(field.clone(), [n.lon, n.lat]);
        if let Some(a) = n.accuracy_m {
            if !(a.is_finite() && a >= 0.0) {
                self.problem(format!("{field}.accuracy_m"), "must be ≥ 0");
            }
        }
        (self.problems.len() == before).then(|| ScenarioStop {
            id,
            name: n.name.clone(),
            name_en: n.name_en.clone(),
            lon: n.lon,
            lat: n.lat,
            status: n.status.clone(),
            position_method: n.position_method.clone(),
            accuracy_m: n.accuracy_m,
            feature: n.feature.clone(),
            sources: n.sources.clone(),
        })
    }
}

/// Minutes after midnight of `HH:MM`.
fn clock_min(s: &str) -> Option<f64> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 30 && m < 60).then_some((h * 60 + m) as f64)
}

/// Highest average speed of a base route's kind, km/h.
fn route_max_speed(kind: RouteKind) -> f64 {
    match kind {
        RouteKind::Tram => LineMode::Tram.max_speed_kmh(),
        RouteKind::Metro => LineMode::Metro.max_speed_kmh(),
        RouteKind::Bus => LineMode::Bus.max_speed_kmh(),
        RouteKind::Rail | RouteKind::Other => LineMode::Rail.max_speed_kmh(),
    }
}

/// Checks every modification; either all of them resolve, or every problem is returned.
pub fn resolve(ctx: &Context, mods: &[Modification]) -> Result<Resolved, ScenarioError> {
    let mut c = Checker {
        ctx,
        problems: Vec::new(),
        index: 0,
        kind: "",
        added: Vec::new(),
    };
    if mods.len() > MAX_MODIFICATIONS {
        c.problems.push(Problem {
            index: None,
            kind: String::new(),
            field: "modifications".into(),
            message: format!(
                "{} modifications; at most {MAX_MODIFICATIONS} in one scenario",
                mods.len()
            ),
            suggestions: Vec::new(),
        });
        return Err(ScenarioError::Invalid(c.problems));
    }
    // Lines first in list order so later lines and transfers may name their new stops; the
    // result is then sorted into application order.
    let mut ops: Vec<(usize, usize, Op)> = Vec::new();
    for (i, m) in mods.iter().enumerate() {
        c.index = i;
        c.kind = m.type_name();
        if ctx.named && !m.is_additive() {
            c.problem(
                "type",
                "a scenario file overlays the shared network and may only add (add-line, \
                 add-transfer); give this change with a request instead",
            );
            continue;
        }
        let op = match m {
            Modification::AddLine(l) => c.add_line(l),
            Modification::RemoveRoute(r) => c
                .route("route", &r.route)
                .map(|route| Op::RemoveRoute { route }),
            Modification::RemoveStops(r) => {
                let route = match &r.route {
                    Some(t) => c.route("route", t).map(Some),
                    None => Some(None),
                };
                if r.stops.is_empty() {
                    c.problem("stops", "name at least one stop");
                }
                let stops: Vec<Option<u32>> = r
                    .stops
                    .iter()
                    .enumerate()
                    .map(|(k, s)| c.stop_index(format!("stops[{k}]"), s))
                    .collect();
                match (route, stops.iter().all(Option::is_some)) {
                    (Some(route), true) if !r.stops.is_empty() => Some(Op::RemoveStops {
                        stops: stops.into_iter().flatten().collect(),
                        route,
                    }),
                    _ => None,
                }
            }
            Modification::AdjustFrequency(a) => {
                let route = c.route("route", &a.route);
                let ok = c.finite_in("headway_min", a.headway_min, 0.0, MAX_HEADWAY_MIN, "min");
                let mut share = 1.0;
                if let Some([from, to]) = &a.window {
                    match (clock_min(from), clock_min(to)) {
                        (Some(f), Some(t)) if f < t => {
                            // Overlap with the 06:00–23:00 day the steady state averages over.
                            let day = (360.0, 1380.0);
                            share = ((t.min(day.1) - f.max(day.0)).max(0.0)) / (day.1 - day.0);
                        }
                        _ => c.problem(
                            "window",
                            format!("['{from}', '{to}'] is not [\"HH:MM\", \"HH:MM\"], start before end"),
                        ),
                    }
                }
                match (route, ok) {
                    (Some(route), true) => Some(Op::AdjustFrequency {
                        route,
                        headway_min: a.headway_min,
                        share,
                    }),
                    _ => None,
                }
            }
            Modification::AdjustSpeed(a) => {
                let route = c.route("route", &a.route);
                match (a.factor, a.speed_kmh) {
                    (Some(f), None) => {
                        if !(f.is_finite()
                            && (1.0 / MAX_SPEED_FACTOR..=MAX_SPEED_FACTOR).contains(&f))
                        {
                            c.problem("factor", format!("{f}: must be in [0.1, 10]"));
                        }
                    }
                    (None, Some(v)) => {
                        let max = route
                            .map(|r| route_max_speed(ctx.net.routes[r].kind))
                            .unwrap_or(350.0);
                        if v.is_finite() && v > max {
                            c.problem(
                                "speed_kmh",
                                format!("{v} km/h is above what this route's mode can average (at most {max} km/h)"),
                            );
                        } else {
                            c.finite_in("speed_kmh", v, 0.0, max, "km/h");
                        }
                    }
                    _ => c.problem("factor", "give factor or speed_kmh (one of them)"),
                }
                let between = match (&a.from, &a.to) {
                    (None, None) => Some(None),
                    (Some(f), Some(t)) => {
                        let f = c.stop_index("from".into(), f);
                        let t = c.stop_index("to".into(), t);
                        match (f, t, route) {
                            (Some(f), Some(t), Some(r)) => {
                                let served = ctx.net.patterns.iter().any(|p| {
                                    p.route == r && p.stops.contains(&f) && p.stops.contains(&t)
                                });
                                if !served || f == t {
                                    c.problem(
                                        "to",
                                        "the route does not run between these two stops",
                                    );
                                    None
                                } else {
                                    Some(Some((f, t)))
                                }
                            }
                            _ => None,
                        }
                    }
                    _ => {
                        c.problem(
                            if a.from.is_none() { "from" } else { "to" },
                            "give both from and to, or neither",
                        );
                        None
                    }
                };
                let before = c.problems.iter().filter(|p| p.index == Some(i)).count();
                match (route, between, before) {
                    (Some(route), Some(between), 0) => Some(Op::AdjustSpeed {
                        route,
                        factor: a.factor,
                        speed_kmh: a.speed_kmh,
                        between,
                    }),
                    _ => None,
                }
            }
            Modification::AddTransfer(t) => {
                let from = c.stop("from".into(), &t.from, true);
                let to = c.stop("to".into(), &t.to, true);
                if let Some(m) = t.minutes {
                    if !(m.is_finite() && (0.0..=MAX_TRANSFER_MIN).contains(&m)) {
                        c.problem(
                            "minutes",
                            format!("{m}: must be in [0, {MAX_TRANSFER_MIN}]"),
                        );
                    }
                }
                if from.is_some() && from == to {
                    c.problem("to", "a transfer joins two different stops");
                }
                match (from, to) {
                    (Some(from), Some(to)) if from != to => Some(Op::AddTransfer {
                        from,
                        to,
                        secs: t.minutes.map(|m| (m * 60.0) as f32),
                    }),
                    _ => None,
                }
            }
        };
        if let Some(op) = op {
            ops.push((m.rank(), i, op));
        }
    }
    if !c.problems.is_empty() {
        return Err(ScenarioError::Invalid(c.problems));
    }
    ops.sort_by_key(|(rank, i, _)| (*rank, *i));
    Ok(Resolved {
        ops: ops.into_iter().map(|(_, i, op)| (i, op)).collect(),
    })
}
