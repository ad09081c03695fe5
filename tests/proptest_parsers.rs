//! Property tests for every parser of user input that is not a file: reach parameters, the
//! service's query-string helpers and CQL2-text filters, command-line arguments and place
//! names. Arbitrary input must give a value or an error, never a panic, and every accepted
//! value must satisfy the documented limits.

use cityreach::catalog::normalise;
use cityreach::cli::Cli;
use cityreach::reach::{self, BandForm, Mode, Origin, MAX_BANDS, MAX_MINUTES};
use cityreach::server::layers::Layers;
use cityreach::server::{cql2, params};
use cityreach::{City, DataSource};
use clap::Parser;
use proptest::prelude::*;
use std::sync::OnceLock;

fn city() -> &'static City {
    static CITY: OnceLock<City> = OnceLock::new();
    CITY.get_or_init(|| City::load(DataSource::Embedded).expect("embedded city loads"))
}

fn layers() -> &'static Layers {
    static LAYERS: OnceLock<Layers> = OnceLock::new();
    LAYERS.get_or_init(|| Layers::build(city()))
}

/// Text that mixes ASCII, punctuation, Chinese, marks that change direction or join, and
/// combining characters: what users and scrapers actually type.
fn messy_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => "[a-zA-Z0-9 ,.|'\"()=<>%_-]{0,6}",
        2 => "[\\u{4e00}-\\u{9fff}]{1,4}",
        1 => Just("\u{200f}".to_string()),
        1 => Just("\u{200b}".to_string()),
        1 => Just("\u{202e}".to_string()),
        1 => Just("e\u{301}\u{301}".to_string()),
        1 => Just("\u{1F687}".to_string()),
        1 => Just("\u{feff}".to_string()),
        1 => Just("\0".to_string()),
        1 => Just("ǚ".to_string()),
        1 => Just("İ".to_string()),
        1 => "\\PC{0,4}",
    ];
    prop::collection::vec(piece, 0..8).prop_map(|v| v.concat())
}

/// Number-like text: numbers in every spelling Rust's parser accepts and some it does not.
fn numberish() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<f64>().prop_map(|x| x.to_string()),
        (-400.0f64..400.0).prop_map(|x| format!("{x}")),
        (-1000i64..1000).prop_map(|x| x.to_string()),
        Just("NaN".to_string()),
        Just("inf".to_string()),
        Just("-Infinity".to_string()),
        Just("1e309".to_string()),
        Just("-0".to_string()),
        Just("0x10".to_string()),
        Just("1_000".to_string()),
        Just(" 12 ".to_string()),
        Just("".to_string()),
        "[0-9.eE+-]{1,8}",
    ]
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn origin_parse_never_panics_and_coordinates_are_valid(s in prop_oneof![
        messy_text(),
        (numberish(), numberish()).prop_map(|(a, b)| format!("{a},{b}")),
        (numberish(), numberish(), numberish()).prop_map(|(a, b, c)| format!("{a},{b},{c}")),
    ]) {
        match Origin::parse(&s) {
            Ok(Origin::LonLat([lon, lat])) => {
                prop_assert!(lon.is_finite() && lat.is_finite());
                prop_assert!(lon.abs() <= 180.0 && lat.abs() <= 90.0);
            }
            Ok(Origin::Place(p)) => {
                prop_assert!(!p.is_empty());
                prop_assert_eq!(p.as_str(), p.trim());
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn origin_coordinates_round_trip(lon in -180.0f64..=180.0, lat in -90.0f64..=90.0, sp in " {0,2}") {
        let text = format!("{sp}{lon}{sp},{sp}{lat}{sp}");
        prop_assert_eq!(Origin::parse(&text).unwrap(), Origin::LonLat([lon, lat]));
    }

    #[test]
    fn parse_bands_accepts_only_valid_band_lists(parts in prop::collection::vec(numberish(), 0..30)) {
        let text = parts.join(",");
        if let Ok(b) = reach::parse_bands(&text) {
            prop_assert!(!b.is_empty() && b.len() <= MAX_BANDS);
            prop_assert!(b.iter().all(|x| x.is_finite() && *x > 0.0 && *x <= MAX_MINUTES));
            prop_assert!(b.windows(2).all(|w| w[0] < w[1]));
        }
    }

    #[test]
    fn parse_bands_round_trips_valid_lists(mut b in prop::collection::btree_set(1u32..=1800, 1..=MAX_BANDS)
        .prop_map(|s| s.into_iter().map(|x| f64::from(x) / 10.0).collect::<Vec<f64>>())) {
        b.dedup();
        let text = b.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(" , ");
        prop_assert_eq!(reach::parse_bands(&text).unwrap(), b);
    }

    #[test]
    fn check_minutes_is_exactly_the_documented_range(m in prop_oneof![
        any::<f64>(), -10.0f64..200.0, Just(0.0), Just(MAX_MINUTES), Just(f64::MIN_POSITIVE)
    ]) {
        let ok = m.is_finite() && m > 0.0 && m <= MAX_MINUTES;
        prop_assert_eq!(reach::check_minutes(m, "minutes").is_ok(), ok);
    }

    #[test]
    fn mode_and_band_form_parse(s in prop_oneof![
        messy_text(),
        prop::sample::select(vec!["walk", "bike", "drive", "transit", "disjoint", "cumulative"])
            .prop_flat_map(|w| (Just(w), any::<u32>(), " {0,2}"))
            .prop_map(|(w, caps, sp)| {
                let cased: String = w.chars().enumerate()
                    .map(|(i, c)| if caps >> (i % 32) & 1 == 1 { c.to_ascii_uppercase() } else { c })
                    .collect();
                format!("{sp}{cased}{sp}")
            }),
    ]) {
        let want = Mode::ALL.into_iter().find(|m| m.as_str() == s.trim().to_ascii_lowercase());
        prop_assert_eq!(s.parse::<Mode>().ok(), want);
        let form = s.parse::<BandForm>();
        match s.as_str() {
            "disjoint" => prop_assert_eq!(form.unwrap(), BandForm::Disjoint),
            "cumulative" => prop_assert_eq!(form.unwrap(), BandForm::Cumulative),
            _ => prop_assert!(form.is_err()),
        }
    }

    #[test]
    fn query_strings_decode_or_fail_with_400(q in prop_oneof![
        messy_text(),
        "[a-z=&%0-9A-F+;]{0,40}",
        prop::collection::vec(any::<u8>(), 0..40).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]) {
        match params::Params::parse(Some(&q)) {
            Ok(p) => {
                // Every helper answers a value or a 400, whatever the pairs hold.
                for r in [p.limit(100, 10_000).map(|_| ()), p.offset().map(|_| ()),
                          p.bbox().map(|_| ()), p.number("minutes").map(|_| ()),
                          p.boolean("polygons").map(|_| ())] {
                    if let Err(e) = r {
                        prop_assert_eq!(e.status().as_u16(), 400);
                    }
                }
            }
            Err(e) => prop_assert_eq!(e.status().as_u16(), 400),
        }
    }

    #[test]
    fn limit_and_offset_accept_exactly_their_ranges(v in prop_oneof![
        numberish(), any::<i64>().prop_map(|x| x.to_string()), any::<u64>().prop_map(|x| x.to_string())
    ]) {
        let p = params::Params(vec![("limit".into(), v.clone()), ("offset".into(), v.clone())]);
        let as_int = v.trim().parse::<i64>().ok();
        prop_assert_eq!(p.limit(100, 10_000).ok(), as_int.filter(|n| (1..=10_000).contains(n)).map(|n| n as usize));
        prop_assert_eq!(p.offset().ok(), v.trim().parse::<usize>().ok());
    }

    #[test]
    fn bbox_accepts_only_ordered_boxes_in_range(parts in prop::collection::vec(numberish(), 0..7)) {
        if let Ok(b) = params::parse_bbox(&parts.join(",")) {
            prop_assert!(b.iter().all(|x| x.is_finite()));
            prop_assert!(b[0] <= b[2] && b[1] <= b[3]);
            prop_assert!(b[0].abs() <= 180.0 && b[2].abs() <= 180.0 && b[1].abs() <= 90.0 && b[3].abs() <= 90.0);
        }
    }

    #[test]
    fn bbox_round_trips(w in -180.0f64..180.0, s in -90.0f64..90.0, dw in 0.0f64..10.0, ds in 0.0f64..10.0) {
        let (e, n) = ((w + dw).min(180.0), (s + ds).min(90.0));
        prop_assert_eq!(params::parse_bbox(&format!("{w},{s},{e},{n}")).unwrap(), [w, s, e, n]);
    }

    #[test]
    fn cql2_arbitrary_text_never_panics(text in prop_oneof![messy_text(), "\\PC{0,60}"]) {
        for layer in &layers().layers {
            check_filter(&text, layer)?;
        }
    }

    #[test]
    fn cql2_token_soup_never_panics(toks in prop::collection::vec(prop::sample::select(vec![
        "status", "year", "name_en", "name_zh", "subkind", "area_km2", "district", "kind",
        "=", "<>", "<", "<=", ">", ">=", "AND", "OR", "NOT", "LIKE", "IN", "BETWEEN", "IS",
        "NULL", "TRUE", "false", "(", ")", ",", "'planned'", "'%站%'", "'it''s'", "2020",
        "-1.5e3", "1e999", "'", "\"name_en\"", "casei(", "%", "\u{200b}",
    ]), 0..24)) {
        let text = toks.join(" ");
        for layer in &layers().layers {
            check_filter(&text, layer)?;
        }
    }

    #[test]
    fn deeply_nested_filters_are_refused_not_overflowed(depth in 1usize..5000, not in any::<bool>()) {
        let open = if not { "NOT (" } else { "(" };
        let text = format!("{}year = 2020{}", open.repeat(depth), ")".repeat(depth));
        let layer = layers().get("commercial").expect("commercial layer");
        check_filter(&text, layer)?;
    }

    #[test]
    fn cli_arguments_never_panic(args in prop::collection::vec(prop_oneof![
        4 => prop::sample::select(vec![
            "serve", "reach", "targets", "features", "search", "check-data", "import-osm",
            "--addr", "127.0.0.1:0", "--data", "--minutes", "--mode", "--bands", "--format",
            "json", "geojson", "table", "--kind", "--status", "--bbox", "--near", "--radius",
            "--limit", "--scenario", "--help", "-h", "--version", "-V", "--", "-", "transit",
            "113.7,34.7", "hub-zhengzhou-east", "--seeds", "--out", "walk", "NaN", "-1",
        ]).prop_map(str::to_string),
        1 => messy_text(),
    ], 0..10)) {
        let argv = std::iter::once("cityreach".to_string()).chain(args);
        let _ = Cli::try_parse_from(argv);
    }

    #[test]
    fn search_and_resolve_never_panic(q in messy_text(), limit in 0usize..50) {
        let cat = &city().catalog;
        let r = cat.search(&q, limit);
        prop_assert!(r.hits.len() <= limit);
        prop_assert!(r.hits.iter().all(|h| h.feature < cat.len() && h.score.is_finite()));
        prop_assert!(r.hits.windows(2).all(|w| w[0].score >= w[1].score));
        match cat.resolve(&q) {
            Ok(f) => prop_assert!(f.id == q.trim() || f.names().any(|n| normalise(n) == normalise(&q))),
            Err(e) => {
                // Every suggestion a miss offers resolves.
                if let cityreach::catalog::CatalogError::UnknownPlace { suggestions, .. } = e {
                    for s in suggestions {
                        prop_assert!(cat.resolve(&s).is_ok(), "suggestion {s}");
                    }
                }
            }
        }
    }

    #[test]
    fn every_name_resolves_through_noise(i in any::<prop::sample::Index>(), sp in "[ \t]{0,3}", upper in any::<bool>()) {
        let cat = &city().catalog;
        let f = &cat.features()[i.index(cat.len())];
        let names: Vec<&str> = f.names().collect();
        let name = names[i.index(names.len())];
        let typed = if upper { name.to_uppercase() } else { name.to_string() };
        let typed = format!("{sp}{typed}{sp}");
        let got = cat.resolve(&typed);
        prop_assert!(got.is_ok(), "{typed:?} does not resolve");
        // Names shared by several features resolve to one of them.
        prop_assert!(got.unwrap().names().any(|n| normalise(n) == normalise(name)));
    }
}

/// Parses a filter; when it parses, evaluates it on every feature of the layer.
fn check_filter(text: &str, layer: &cityreach::server::layers::Layer) -> Result<(), TestCaseError> {
    match cql2::parse(text, layer) {
        Ok(expr) => {
            for f in &layer.features {
                let _ = expr.eval(&f.props);
            }
        }
        Err(e) => prop_assert_eq!(e.status().as_u16(), 400),
    }
    Ok(())
}

#[test]
fn a_very_long_unknown_place_is_refused_quickly() {
    // A 60 000-character origin used to be compared with every name by edit distance, which
    // took longer than the service's request time limit.
    let cat = &city().catalog;
    for q in [
        "a".repeat(60_000),
        "郑".repeat(20_000),
        "zhengzhou ".repeat(5_000),
    ] {
        let t = std::time::Instant::now();
        assert!(cat.resolve(&q).is_err());
        assert!(cat.search(&q, 10).hits.is_empty());
        assert!(
            t.elapsed() < std::time::Duration::from_secs(2),
            "{:?}",
            t.elapsed()
        );
    }
    // Long but plausible queries still find their feature.
    let f = &cat.features()[0];
    let typed = format!("{} ", f.name_en).repeat(2);
    assert!(
        !cat.search(&typed, 5).hits.is_empty() || !cat.search(&typed, 5).suggestions.is_empty()
    );
}
