//! One place-name index over what a planner may type: catalog features (through the catalog's
//! own name search) and transit stations (metro and rail stations of the base network, and the
//! stations a scenario adds). `/search`, `cityreach search` and origin resolution all ask it.

use crate::catalog::{normalise, Catalog};
use crate::network::transit::{RouteKind, TransitNetwork};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// What kind of station a name belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StationKind {
    /// A base stop served by a metro or tram line.
    MetroStation,
    /// A base stop served by a rail line.
    RailStation,
    /// A stop a scenario adds.
    PlannedStation,
}

impl StationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StationKind::MetroStation => "metro_station",
            StationKind::RailStation => "rail_station",
            StationKind::PlannedStation => "planned_station",
        }
    }
}

/// One station as search shows it. A stop served by metro and rail is two stations.
#[derive(Debug, Clone, PartialEq)]
pub struct Station {
    /// The transit stop id.
    pub id: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub kind: StationKind,
    /// The lines serving a base station, e.g. "1号线, 6号线".
    pub lines: Option<String>,
    /// The scenario that adds a planned station.
    pub scenario: Option<String>,
    pub lonlat: [f64; 2],
    /// Folded names, for matching.
    keys: Vec<String>,
}

/// What a hit points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Index into [`Catalog::features`].
    Feature(usize),
    /// Index into [`Gazetteer::stations`].
    Station(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlaceHit {
    pub place: Place,
    /// Features: the catalog's score. Stations: 1.0 exact, 0.85 prefix, 0.65 substring of a
    /// folded name.
    pub score: f64,
    /// The name (as written in the data) that matched.
    pub matched: String,
}

/// Hits best first (features before stations of equal score), and the catalog's suggestions
/// for a miss.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlaceResults {
    pub hits: Vec<PlaceHit>,
    pub suggestions: Vec<String>,
}

/// Stations and stop names, built once with the city.
#[derive(Debug, Clone, Default)]
pub struct Gazetteer {
    stations: Vec<Station>,
    /// Exact name (Chinese or English) of a base stop → the first stop carrying it.
    stop_names: HashMap<String, u32>,
}

impl Gazetteer {
    pub fn build(transit: &TransitNetwork) -> Gazetteer {
        let t = transit;
        let mut served: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); t.stops.len()];
        for p in t.patterns.iter().filter(|p| p.scenario.is_none()) {
            for &s in &p.stops {
                if let Some(set) = served.get_mut(s as usize) {
                    set.insert(p.route);
                }
            }
        }
        let keys = |zh: &str, en: Option<&String>| -> Vec<String> {
            std::iter::once(zh)
                .chain(en.map(String::as_str))
                .map(normalise)
                .filter(|k| !k.is_empty())
                .collect()
        };
        let mut metro = Vec::new();
        let mut rail = Vec::new();
        let mut stop_names = HashMap::new();
        for (i, s) in t.stops.iter().enumerate() {
            if s.scenario.is_some() {
                continue;
            }
            stop_names.entry(s.name.clone()).or_insert(i as u32);
            if let Some(en) = &s.name_en {
                stop_names.entry(en.clone()).or_insert(i as u32);
            }
            let routes: Vec<_> = served[i].iter().map(|&r| &t.routes[r]).collect();
            let lines: Vec<&str> = routes
                .iter()
                .map(|r| {
                    if r.short_name.is_empty() {
                        r.long_name.as_str()
                    } else {
                        r.short_name.as_str()
                    }
                })
                .collect();
            let station = |kind| Station {
                id: s.id.clone(),
                name_zh: s.name.clone(),
                name_en: s.name_en.clone(),
                kind,
                lines: Some(lines.join(", ")),
                scenario: None,
                lonlat: s.lonlat,
                keys: keys(&s.name, s.name_en.as_ref()),
            };
            if routes.iter().any(|r| r.kind == RouteKind::Rail) {
                rail.push(station(StationKind::RailStation));
            }
            if routes
                .iter()
                .any(|r| matches!(r.kind, RouteKind::Metro | RouteKind::Tram))
            {
                metro.push(station(StationKind::MetroStation));
            }
        }
        let mut stations = metro;
        stations.append(&mut rail);
        for (si, sc) in t.scenarios.iter().enumerate() {
            for s in t.stops.iter().filter(|s| s.scenario == Some(si)) {
                stations.push(Station {
                    id: s.id.clone(),
                    name_zh: s.name.clone(),
                    name_en: s.name_en.clone(),
                    kind: StationKind::PlannedStation,
                    lines: None,
                    scenario: Some(sc.id.clone()),
                    lonlat: s.lonlat,
                    keys: keys(&s.name, s.name_en.as_ref()),
                });
            }
        }
        Gazetteer {
            stations,
            stop_names,
        }
    }

    pub fn stations(&self) -> &[Station] {
        &self.stations
    }

    /// Features and stations matching `text`, best first, at most `limit`.
    pub fn search(&self, catalog: &Catalog, text: &str, limit: usize) -> PlaceResults {
        let found = catalog.search(text, limit);
        let mut hits: Vec<PlaceHit> = found
            .hits
            .iter()
            .map(|h| PlaceHit {
                place: Place::Feature(h.feature),
                score: h.score,
                matched: h.matched.clone(),
            })
            .collect();
        let key = normalise(text);
        if !key.is_empty() {
            for (i, s) in self.stations.iter().enumerate() {
                let score = s
                    .keys
                    .iter()
                    .map(|n| {
                        if *n == key {
                            1.0
                        } else if n.starts_with(&key) {
                            0.85
                        } else if n.contains(&key) {
                            0.65
                        } else {
                            0.0
                        }
                    })
                    .fold(0.0, f64::max);
                if score > 0.0 {
                    hits.push(PlaceHit {
                        place: Place::Station(i),
                        score,
                        matched: s.name_zh.clone(),
                    });
                }
            }
        }
        // Stable: features before stations of equal score, stations in their list order.
        hits.sort_by(|a, b| b.score.total_cmp(&a.score));
        let mut seen = std::collections::HashSet::new();
        let hits = hits
            .into_iter()
            .filter(|h| match h.place {
                Place::Feature(_) => true,
                Place::Station(i) => seen.insert((&self.stations[i].id, self.stations[i].kind)),
            })
            .take(limit)
            .collect();
        PlaceResults {
            hits,
            suggestions: found.suggestions,
        }
    }

    /// A transit stop named by its id, or by the exact Chinese or English name of a base stop.
    pub fn stop(&self, transit: &TransitNetwork, query: &str) -> Option<u32> {
        transit
            .stop_by_id(query)
            .or_else(|| self.stop_names.get(query).copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::city::City;
    use crate::dataset::DataSource;

    fn city() -> City {
        City::load(DataSource::Embedded).expect("embedded city")
    }

    #[test]
    fn stop_names_agree_with_a_scan_of_the_stops() {
        let c = city();
        let t = &c.transit;
        let scan = |q: &str| {
            t.stops
                .iter()
                .position(|s| {
                    s.scenario.is_none() && (s.name == q || s.name_en.as_deref() == Some(q))
                })
                .map(|i| i as u32)
        };
        let mut names = 0;
        for s in &t.stops {
            for q in std::iter::once(&s.name).chain(s.name_en.as_ref()) {
                assert_eq!(
                    c.places.stop(t, q),
                    t.stop_by_id(q).or_else(|| scan(q)),
                    "{q}"
                );
                names += 1;
            }
        }
        assert!(names > 100, "{names} names");
        assert_eq!(c.places.stop(t, "no such stop"), None);
    }

    #[test]
    fn a_station_on_metro_and_rail_is_found_as_both() {
        let c = city();
        let found = c.places.search(&c.catalog, "郑州东站", 20);
        let stations: Vec<(&str, StationKind, f64)> = found
            .hits
            .iter()
            .filter_map(|h| match h.place {
                Place::Station(i) => {
                    let s = &c.places.stations()[i];
                    Some((s.id.as_str(), s.kind, h.score))
                }
                Place::Feature(_) => None,
            })
            .collect();
        assert!(stations.contains(&("metro-zhengzhou-dongzhan", StationKind::MetroStation, 1.0)));
        assert!(stations.contains(&("rail-zhengzhou-east", StationKind::RailStation, 1.0)));
        let scores: Vec<f64> = found.hits.iter().map(|h| h.score).collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    }

    #[test]
    fn planned_stations_name_their_scenario() {
        let c = city();
        let planned: Vec<&Station> = c
            .places
            .stations()
            .iter()
            .filter(|s| s.kind == StationKind::PlannedStation)
            .collect();
        let added = c
            .transit
            .stops
            .iter()
            .filter(|s| s.scenario.is_some())
            .count();
        assert!(added > 0);
        assert_eq!(planned.len(), added);
        assert!(planned
            .iter()
            .all(|s| s.scenario.is_some() && s.lines.is_none()));
    }
}
