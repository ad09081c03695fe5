//! What-if scenarios: the modification language on a small hand-made network with exact times,
//! the shipped `plan-2025` against the answers it gave before it was written as modifications,
//! whole rejection of invalid edits, and the cache.

use cityreach::reach::{self, Mode, Origin, ReachRequest};
use cityreach::{City, DataSource};

/// FNV-1a over a string: a compact fingerprint of a whole answer.
fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Every reached feature (id, minutes, legs) of reaches from several origins in every mode,
/// and every plan target, on one scenario: one line per answer.
fn plan_answers(city: &City, scenario: &str) -> Vec<String> {
    let mut out = Vec::new();
    let origins = [
        "小李庄站",
        "郑州站",
        "郑州东站",
        "hub-xinzheng-airport",
        "113.75,34.70",
    ];
    for o in origins {
        for (mode, minutes) in [
            (Mode::Transit, 90.0),
            (Mode::Walk, 30.0),
            (Mode::Bike, 30.0),
            (Mode::Drive, 30.0),
        ] {
            let mut req = ReachRequest::new(Origin::parse(o).unwrap(), minutes);
            req.mode = mode;
            req.polygons = false;
            req.scenario = scenario.to_string();
            let r = reach::reach(city, &req).unwrap();
            let json = serde_json::to_string(&r.reached).unwrap();
            let times: String = r
                .reached
                .iter()
                .map(|f| format!("{}={};", f.id, f.minutes))
                .collect();
            out.push(format!(
                "{o} {} {} {:016x} {:016x}",
                mode.as_str(),
                r.reached.len(),
                fnv(&times),
                fnv(&json)
            ));
        }
    }
    for t in reach::targets::evaluate_all(city, scenario).unwrap() {
        let json = serde_json::to_string(&t).unwrap();
        out.push(format!(
            "target {} {:?} {:?} {:016x}",
            t.target.id,
            t.verdict,
            t.minutes,
            fnv(&json)
        ));
    }
    out
}

/// `plan_answers(city, "plan-2025")` as computed before `plan-2025.toml` was written as
/// modifications (when it declared its stops and links directly): the reached features' ids and
/// minutes (first hash), their whole JSON with legs and scenario tags (second hash), and every
/// target's verdict, minutes and JSON.
const PLAN_2025_BEFORE: [&str; 27] = [
    "小李庄站 transit 193 64e97c6ab03eb48b 0d2f6b8a8c06ce40",
    "小李庄站 walk 1 7ae8405010c8224e 75a251ab0a540142",
    "小李庄站 bike 3 c4a71ad17e44f555 07135436490ca673",
    "小李庄站 drive 17 62b36acea4036f64 c3f26c887a895d0f",
    "郑州站 transit 181 09969e38a2999934 c9808f76ed59d4b8",
    "郑州站 walk 17 d99e42f56d3d714e a6549e2d1298dafc",
    "郑州站 bike 52 fca07096782b8a57 96f58c70999dc178",
    "郑州站 drive 110 ebddb50a97e5adbb 53ed7fb6ed8c6346",
    "郑州东站 transit 199 80d6f191d07e93d7 3c1e6d436b27628f",
    "郑州东站 walk 9 13e076ab7afeb3bf dfa85ab14568d565",
    "郑州东站 bike 39 c541a4c4a4b227bc a74bf6398838488d",
    "郑州东站 drive 116 c31e42279d79d1f0 73034a7fdc17acb9",
    "hub-xinzheng-airport transit 166 22540acec95678c8 700c3f71866b21f9",
    "hub-xinzheng-airport walk 22 1cadf44bb0e3eb8b 20a10b4f127b0be7",
    "hub-xinzheng-airport bike 48 8e940a173c23872f e94353701a9fb62a",
    "hub-xinzheng-airport drive 65 f1d3aa0cd50d1dd2 b6f683f1e5170bff",
    "113.75,34.70 transit 131 2cbf25d4447b77a6 944a097d089c69d9",
    "113.75,34.70 walk 5 814de8de69890bfa f8dd0a6fc6c7b57d",
    "113.75,34.70 bike 27 45c8cb1dd4aab771 49fdf6951e28d941",
    "113.75,34.70 drive 98 3c1bea6b2a824646 263b2adaa1dcfb0b",
    "target xlz-airport-20min Fail Some(32.8) 5844153e6bdf4b53",
    "target xlz-east-15min Fail Some(19.6) 434f45dbc14fd4e4",
    "target xlz-1.5h-circle Fail None 506de9ce904a8f8f",
    "target capitals-2h Fail None 5fc29373dbd2dc71",
    "target rail-network-700km NotEvaluable None 2d8af9ccdc972588",
    "target fitness-10min NotEvaluable None d106104b961eef96",
    "target air-cargo-24h NotEvaluable None 507ab020456a5ff9",
];

#[test]
fn plan_2025_as_modifications_gives_exactly_the_answers_it_gave_before() {
    let city = City::load(DataSource::Embedded).unwrap();
    let now = plan_answers(&city, "plan-2025");
    for (a, b) in now.iter().zip(PLAN_2025_BEFORE) {
        assert_eq!(a, b);
    }
    assert_eq!(now.len(), PLAN_2025_BEFORE.len());
}
