//! The plan comparison: one reach question (same origins, mode, bands and settings) asked of a
//! base scenario and of a plan scenario, and what changes between the two answers: per band
//! the area and the features counted, per feature the minutes before and after.

use crate::city::City;
use crate::output::geojson;
use crate::reach::{self, ReachError, ReachRequest, ReachResult};
use serde::Serialize;

/// A feature counts as faster or slower when its minutes change by at least this much; smaller
/// differences are the same trip, rounded.
pub const SAME_WITHIN_MIN: f64 = 0.5;
/// More total band area than this (km²) counts as a gain of the plan.
pub const AREA_GAIN_KM2: f64 = 0.05;

/// How a feature's reach changes from base to plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Reached with the plan only.
    Gained,
    /// Reached in the base only.
    Lost,
    Faster,
    Slower,
    Same,
}

/// One band limit in both answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BandChange {
    pub min_minutes: f64,
    pub max_minutes: f64,
    /// `None` where the answer has no polygons.
    pub base_km2: Option<f64>,
    pub plan_km2: Option<f64>,
    pub delta_km2: Option<f64>,
    /// Reached features the band counts.
    pub base_features: usize,
    pub plan_features: usize,
    /// The plan's band polygon differs from the base's.
    pub shape_changed: bool,
}

/// One feature reached in either answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureChange {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub kind: crate::catalog::FeatureKind,
    /// Minutes in the base scenario (`None`: not reached).
    pub before: Option<f64>,
    /// Minutes with the plan (`None`: not reached).
    pub after: Option<f64>,
    pub change: Change,
    /// `before − after` where both are reached (positive: the plan is faster).
    pub saved_minutes: Option<f64>,
}

/// Counts of each kind of change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ChangeCounts {
    pub gained: usize,
    pub lost: usize,
    pub faster: usize,
    pub slower: usize,
    pub same: usize,
}

/// The comparison, with both answers it was made from.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub base: String,
    pub plan: String,
    pub bands: Vec<BandChange>,
    /// Sums over the bands (areas `None` without polygons).
    pub total: BandChange,
    /// Gained first (soonest first), then faster (most saved first), slower, lost, same.
    pub features: Vec<FeatureChange>,
    pub counts: ChangeCounts,
    /// The plan changes something: a feature gained or faster, or more area.
    pub plan_gains: bool,
    #[serde(skip)]
    pub base_result: ReachResult,
    #[serde(skip)]
    pub plan_result: ReachResult,
}

/// Runs `req` on `base` and on `plan` and compares the answers.
pub fn compare(
    city: &City,
    req: &ReachRequest,
    base: &str,
    plan: &str,
) -> Result<Comparison, ReachError> {
    if base == plan {
        return Err(ReachError::InvalidParameter {
            parameter: "base",
            message: format!("the plan and the base are the same scenario '{plan}'"),
        });
    }
    let known = city.scenario_ids();
    if !known.contains(&base) {
        return Err(ReachError::InvalidParameter {
            parameter: "base",
            message: format!("unknown scenario '{base}' (known: {})", known.join(", ")),
        });
    }
    let mut r = req.clone();
    r.scenario = base.to_string();
    let base_result = reach::reach(city, &r)?;
    r.scenario = plan.to_string();
    let plan_result = reach::reach(city, &r)?;
    Ok(compare_results(base, plan, base_result, plan_result))
}

/// The comparison of two answers to the same question.
pub fn compare_results(
    base: &str,
    plan: &str,
    base_result: ReachResult,
    plan_result: ReachResult,
) -> Comparison {
    let count_of = |r: &ReachResult| {
        let counts = r.counts();
        move |max: f64| -> usize {
            counts
                .get(&reach::result::band_key(max))
                .map_or(0, |by_kind| by_kind.values().sum())
        }
    };
    let (cb, cp) = (count_of(&base_result), count_of(&plan_result));
    let mut bands = Vec::new();
    for (b, p) in base_result.bands.iter().zip(&plan_result.bands) {
        let delta = match (b.area_km2, p.area_km2) {
            (Some(x), Some(y)) => Some(y - x),
            _ => None,
        };
        let shape_changed = match (&b.geometry, &p.geometry) {
            (Some(x), Some(y)) => geojson::multipolygon(x) != geojson::multipolygon(y),
            (None, None) => false,
            _ => true,
        };
        bands.push(BandChange {
            min_minutes: b.min_minutes,
            max_minutes: b.max_minutes,
            base_km2: b.area_km2,
            plan_km2: p.area_km2,
            delta_km2: delta,
            base_features: cb(b.max_minutes),
            plan_features: cp(b.max_minutes),
            shape_changed,
        });
    }
    let sum = |f: fn(&BandChange) -> Option<f64>| -> Option<f64> {
        bands.iter().map(f).sum::<Option<f64>>()
    };
    let total = BandChange {
        min_minutes: bands.first().map_or(0.0, |b| b.min_minutes),
        max_minutes: bands.last().map_or(0.0, |b| b.max_minutes),
        base_km2: sum(|b| b.base_km2),
        plan_km2: sum(|b| b.plan_km2),
        delta_km2: sum(|b| b.delta_km2),
        base_features: bands.iter().map(|b| b.base_features).sum(),
        plan_features: bands.iter().map(|b| b.plan_features).sum(),
        shape_changed: bands.iter().any(|b| b.shape_changed),
    };

    let before: std::collections::HashMap<&str, f64> = base_result
        .reached
        .iter()
        .map(|r| (r.id.as_str(), r.minutes))
        .collect();
    let after: std::collections::HashMap<&str, f64> = plan_result
        .reached
        .iter()
        .map(|r| (r.id.as_str(), r.minutes))
        .collect();
    let mut features = Vec::new();
    let all = plan_result.reached.iter().chain(
        base_result
            .reached
            .iter()
            .filter(|r| !after.contains_key(r.id.as_str())),
    );
    for r in all {
        let (b, a) = (
            before.get(r.id.as_str()).copied(),
            after.get(r.id.as_str()).copied(),
        );
        let (change, saved) = match (b, a) {
            (None, _) => (Change::Gained, None),
            (_, None) => (Change::Lost, None),
            (Some(b), Some(a)) => {
                let saved = b - a;
                let change = if saved >= SAME_WITHIN_MIN {
                    Change::Faster
                } else if -saved >= SAME_WITHIN_MIN {
                    Change::Slower
                } else {
                    Change::Same
                };
                (change, Some(saved))
            }
        };
        features.push(FeatureChange {
            id: r.id.clone(),
            name_zh: r.name_zh.clone(),
            name_en: r.name_en.clone(),
            kind: r.kind,
            before: b,
            after: a,
            change,
            saved_minutes: saved,
        });
    }
    let rank = |c: Change| match c {
        Change::Gained => 0,
        Change::Faster => 1,
        Change::Slower => 2,
        Change::Lost => 3,
        Change::Same => 4,
    };
    features.sort_by(|x, y| {
        rank(x.change)
            .cmp(&rank(y.change))
            .then_with(|| match x.change {
                Change::Gained => x.after.unwrap_or(0.0).total_cmp(&y.after.unwrap_or(0.0)),
                Change::Lost => x.before.unwrap_or(0.0).total_cmp(&y.before.unwrap_or(0.0)),
                _ => {
                    let s = |f: &FeatureChange| f.saved_minutes.unwrap_or(0.0);
                    s(y).total_cmp(&s(x))
                }
            })
    });
    let mut counts = ChangeCounts::default();
    for f in &features {
        match f.change {
            Change::Gained => counts.gained += 1,
            Change::Lost => counts.lost += 1,
            Change::Faster => counts.faster += 1,
            Change::Slower => counts.slower += 1,
            Change::Same => counts.same += 1,
        }
    }
    let plan_gains = counts.gained > 0
        || counts.faster > 0
        || total.delta_km2.is_some_and(|d| d > AREA_GAIN_KM2);
    Comparison {
        base: base.to_string(),
        plan: plan.to_string(),
        bands,
        total,
        features,
        counts,
        plan_gains,
        base_result,
        plan_result,
    }
}

impl Comparison {
    /// The comparison and both reach answers (GeoJSON) in one JSON object.
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        v["reach"] = serde_json::json!({
            "base": self.base_result.to_geojson(),
            "plan": self.plan_result.to_geojson(),
        });
        v
    }

    /// A plain-text report: bands, then the features that change.
    pub fn to_table(&self) -> String {
        use std::fmt::Write;
        let km2 = |v: Option<f64>| v.map_or("-".to_string(), |x| format!("{x:.1}"));
        let min = |v: Option<f64>| v.map_or("-".to_string(), |x| format!("{x:.1}"));
        let mut s = String::new();
        let _ = writeln!(s, "{} against {}", self.plan, self.base);
        let _ = writeln!(
            s,
            "{:<12} {:>10} {:>10} {:>8} {:>10}",
            "band", "base km²", "plan km²", "Δ km²", "features"
        );
        for b in self.bands.iter().chain(std::iter::once(&self.total)) {
            let label = if std::ptr::eq(b, &self.total) {
                "total".to_string()
            } else {
                format!("{}–{} min", b.min_minutes, b.max_minutes)
            };
            let _ = writeln!(
                s,
                "{label:<12} {:>10} {:>10} {:>8} {:>10}",
                km2(b.base_km2),
                km2(b.plan_km2),
                km2(b.delta_km2),
                format!("{} → {}", b.base_features, b.plan_features)
            );
        }
        let c = &self.counts;
        let _ = writeln!(
            s,
            "\n{} gained, {} faster, {} slower, {} lost, {} the same (within {SAME_WITHIN_MIN} min)",
            c.gained, c.faster, c.slower, c.lost, c.same
        );
        for f in self.features.iter().filter(|f| f.change != Change::Same) {
            let _ = writeln!(
                s,
                "{:<7} {:>6} → {:<6} {} {}",
                format!("{:?}", f.change).to_lowercase(),
                min(f.before),
                min(f.after),
                f.name_zh,
                f.id
            );
        }
        s
    }
}
