//! The citation check: every `{doc, line}` source must point at the feature's name in the seed
//! document. The cited line joined with the next two non-blank lines, all whitespace removed,
//! must contain `name_zh` or an alias (whitespace removed). Some seeds are hard-wrapped, which
//! is why a name may continue on the following lines.

use super::Catalog;
use std::collections::HashMap;
use std::fmt;
use std::path::Path;

/// A citation that does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitationProblem {
    pub feature_id: String,
    pub doc: String,
    pub line: u32,
    pub message: String,
}

impl fmt::Display for CitationProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: source {} line {}: {}",
            self.feature_id, self.doc, self.line, self.message
        )
    }
}

fn strip_ws(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The text the rule searches for a citation of `line` (1-based): that line and the next two
/// non-blank lines, whitespace removed. `None` when the line is beyond the end of the file.
pub fn citation_window(lines: &[&str], line: u32) -> Option<String> {
    let start = (line as usize).checked_sub(1)?;
    let first = lines.get(start)?;
    let mut text = strip_ws(first);
    let following = lines[start + 1..]
        .iter()
        .filter(|l| !l.trim().is_empty())
        .take(2);
    for l in following {
        text.push_str(&strip_ws(l));
    }
    Some(text)
}

/// Checks every source of every feature against the seed files in `seeds_dir`.
pub fn check_seed_citations(catalog: &Catalog, seeds_dir: &Path) -> Vec<CitationProblem> {
    let mut docs: HashMap<String, Result<String, String>> = HashMap::new();
    let mut problems = Vec::new();
    for f in catalog.features() {
        let names: Vec<String> = std::iter::once(&f.name_zh)
            .chain(&f.aliases)
            .map(|n| strip_ws(n))
            .filter(|n| !n.is_empty())
            .collect();
        for s in &f.sources {
            let problem = |message: String| CitationProblem {
                feature_id: f.id.clone(),
                doc: s.doc.clone(),
                line: s.line,
                message,
            };
            let text = docs
                .entry(s.doc.clone())
                .or_insert_with(|| read_seed(seeds_dir, &s.doc));
            let text = match text {
                Ok(t) => t,
                Err(e) => {
                    problems.push(problem(e.clone()));
                    continue;
                }
            };
            let lines: Vec<&str> = text.lines().collect();
            match citation_window(&lines, s.line) {
                None => problems.push(problem(format!(
                    "line {} is beyond the end of the document ({} lines)",
                    s.line,
                    lines.len()
                ))),
                Some(window) => {
                    if !names.iter().any(|n| window.contains(n.as_str())) {
                        problems.push(problem(format!(
                            "neither name_zh '{}' nor an alias appears in the line and the two non-blank lines after it",
                            f.name_zh
                        )));
                    }
                }
            }
        }
    }
    problems
}

/// A position its anchor contradicts: the station the anchor names lies farther from the
/// feature than the accuracy it claims, or the anchor names no known station.
#[derive(Debug, Clone, PartialEq)]
pub struct AnchorProblem {
    pub feature_id: String,
    /// The station named first in the anchor; `None` when it names none of the stations.
    pub station: Option<String>,
    pub distance_m: f64,
    pub accuracy_m: f64,
}

impl fmt::Display for AnchorProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.station {
            Some(s) => write!(
                f,
                "{}: station {s} (named in its anchor or its name) is {:.0} m away, more than its accuracy of {:.0} m",
                self.feature_id, self.distance_m, self.accuracy_m
            ),
            None => write!(
                f,
                "{}: positioned at a metro station, but its anchor names none of the feed's stations",
                self.feature_id
            ),
        }
    }
}

fn is_cjk(c: char) -> bool {
    ('\u{3400}'..='\u{9fff}').contains(&c)
}

/// Where `name` occurs in `text` as a whole name: not inside a longer run of CJK characters,
/// and not followed by "(", "（" or "·" (南四环 is not 南四环(郑州航空港站)).
fn whole_name_at(text: &str, name: &str) -> Option<usize> {
    text.match_indices(name).map(|(i, _)| i).find(|&i| {
        let before = text[..i].chars().next_back();
        let after = text[i + name.len()..].chars().next();
        !before.is_some_and(is_cjk)
            && !after.is_some_and(|c| is_cjk(c) || matches!(c, '(' | '（' | '·'))
    })
}

/// The names a station can be written with: its full name, and the part before "·" or "(".
fn station_names(name: &str) -> Vec<&str> {
    let mut out = vec![name];
    for sep in ['·', '(', '（'] {
        if let Some((head, _)) = name.split_once(sep) {
            if !head.is_empty() {
                out.push(head);
            }
        }
    }
    out
}

/// Checks positions against the stations: every feature positioned at a metro station
/// (`position.method` `metro_station`) must lie within its accuracy of the station its anchor
/// names first (by a whole name); and every feature that bears a station's name (name_zh or an
/// alias equal to it, three characters or more) must lie within its accuracy of that station.
pub fn check_station_anchors(
    catalog: &Catalog,
    stations: &[(String, [f64; 2])],
) -> Vec<AnchorProblem> {
    let mut problems = Vec::new();
    for f in catalog.features() {
        let same_name = std::iter::once(&f.name_zh)
            .chain(&f.aliases)
            .filter(|n| n.chars().count() >= 3)
            .find_map(|n| {
                stations
                    .iter()
                    .find(|(s, _)| station_names(s).contains(&n.as_str()))
            });
        if let Some((name, ll)) = same_name {
            let d = f.distance_m(*ll);
            if d > f.position.accuracy_m {
                problems.push(AnchorProblem {
                    feature_id: f.id.clone(),
                    station: Some(name.clone()),
                    distance_m: d,
                    accuracy_m: f.position.accuracy_m,
                });
                continue;
            }
        }
        if f.position.method != "metro_station" {
            continue;
        }
        let anchor = f.position.anchor.as_deref().unwrap_or("");
        // The earliest whole-name mention; at one place the longer name wins.
        let named = stations
            .iter()
            .flat_map(|(name, ll)| {
                station_names(name)
                    .into_iter()
                    .filter_map(move |n| whole_name_at(anchor, n).map(|i| (i, n.len(), name, ll)))
            })
            .min_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        match named {
            None => problems.push(AnchorProblem {
                feature_id: f.id.clone(),
                station: None,
                distance_m: f64::NAN,
                accuracy_m: f.position.accuracy_m,
            }),
            Some((_, _, name, ll)) => {
                let d = f.distance_m(*ll);
                if d > f.position.accuracy_m {
                    problems.push(AnchorProblem {
                        feature_id: f.id.clone(),
                        station: Some(name.clone()),
                        distance_m: d,
                        accuracy_m: f.position.accuracy_m,
                    });
                }
            }
        }
    }
    problems
}

fn read_seed(dir: &Path, doc: &str) -> Result<String, String> {
    // A document is a plain file name inside the seed folder, never a path.
    if doc.is_empty() || doc.contains(['/', '\\']) || doc.starts_with('.') {
        return Err(format!("unknown seed document '{doc}'"));
    }
    let path = dir.join(doc);
    if !path.is_file() {
        return Err(format!(
            "unknown seed document '{doc}' (not in {})",
            dir.display()
        ));
    }
    std::fs::read(&path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .map_err(|e| format!("cannot read {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point_feature(id: &str, lonlat: [f64; 2], accuracy: f64, anchor: &str) -> String {
        format!(
            r#"{{"type":"Feature","id":"{id}","geometry":{{"type":"Point","coordinates":[{},{}]}},"properties":{{"kind":"commercial","subkind":"street","name_zh":"街{id}","name_en":"S","name_pinyin":"S","aliases":[],"status":"existing","year":null,"status_as_of":2021,"sources":[{{"doc":"000.txt","line":1}}],"position":{{"method":"metro_station","accuracy_m":{accuracy},"anchor":"{anchor}"}},"area_km2":null,"district":null,"note":null}}}}"#,
            lonlat[0], lonlat[1]
        )
    }

    #[test]
    fn station_anchors_must_agree_with_the_position() {
        let stations = vec![
            ("南四环".to_string(), [113.6758, 34.6637]),
            ("南四环(郑州航空港站)".to_string(), [113.6758, 34.6645]),
            ("郑州航空港站".to_string(), [113.9255, 34.4886]),
            ("东大街·市第一人民医院".to_string(), [113.6769, 34.7499]),
        ];
        let feats = [
            // At the terminus it names; the longer line-2 name later in the anchor is ignored.
            point_feature(
                "com-a",
                [113.9255, 34.4886],
                200.0,
                "郑州航空港站 metro station, not the 南四环(郑州航空港站) station",
            ),
            // 东大街 is the short form of 东大街·市第一人民医院; 300 m away with 400 m claimed.
            point_feature(
                "com-b",
                [113.6796, 34.7510],
                400.0,
                "beside 东大街 metro station",
            ),
            // Named 南四环 but placed 20 km away at the airport-zone terminus.
            point_feature("com-c", [113.9255, 34.4886], 400.0, "南四环 metro station"),
            // No station at all.
            point_feature(
                "com-d",
                [113.9255, 34.4886],
                400.0,
                "somewhere in the old town",
            ),
            // Named like a station (an estimate, not a station anchor) but 30 km from it.
            point_feature("com-e", [113.9255, 34.4886], 1000.0, "x")
                .replace(
                    r#""name_zh":"街com-e""#,
                    r#""name_zh":"东大街·市第一人民医院""#,
                )
                .replace("metro_station", "estimated"),
        ];
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            feats.join(",")
        );
        let catalog = Catalog::from_geojson_str(&text, "t").unwrap();
        let problems = check_station_anchors(&catalog, &stations);
        let ids: Vec<&str> = problems.iter().map(|p| p.feature_id.as_str()).collect();
        assert_eq!(ids, ["com-c", "com-d", "com-e"]);
        assert_eq!(
            problems[2].station.as_deref(),
            Some("东大街·市第一人民医院")
        );
        assert_eq!(problems[0].station.as_deref(), Some("南四环"));
        assert!(
            problems[0].distance_m > 30_000.0,
            "{}",
            problems[0].distance_m
        );
        assert!(problems[0]
            .to_string()
            .contains("more than its accuracy of 400 m"));
        assert!(problems[1].station.is_none());
    }

    #[test]
    fn window_joins_the_next_two_non_blank_lines() {
        let lines = ["郑州 东", "", "站和", "  ", "小李庄", "站"];
        assert_eq!(citation_window(&lines, 1).unwrap(), "郑州东站和小李庄");
        assert_eq!(citation_window(&lines, 5).unwrap(), "小李庄站");
        assert!(citation_window(&lines, 7).is_none());
        assert!(citation_window(&lines, 0).is_none());
    }
}
