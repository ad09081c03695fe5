//! Splitting one analysis over machines: shard K of N computes a contiguous run of the origins
//! (grid cells in row-major order, so each shard is a band of rows and its network work stays
//! local) and writes a self-describing part; merging the N parts gives back, value for value,
//! what one run computes.

use super::grid::Grid;
use super::{AccessError, AccessMetadata, AccessResult, Measure, OriginPoint};
use serde::{Deserialize, Serialize};

/// The `format` of a part file.
pub const PART_FORMAT: &str = "cityreach-access-part/1";

/// The origins of shard `k` (1-based) of `n`: indices `[(k-1)·len/n, k·len/n)`.
pub fn range(len: usize, k: usize, n: usize) -> std::ops::Range<usize> {
    let lo = (k - 1) * len / n;
    let hi = k * len / n;
    lo..hi
}

/// Reads `K/N` (1 ≤ K ≤ N ≤ 100,000).
pub fn parse(s: &str) -> Result<(usize, usize), AccessError> {
    let bad = || {
        AccessError::invalid(
            "shard",
            format!("'{s}' is not K/N with 1 ≤ K ≤ N ≤ 100000 (e.g. 2/8)"),
        )
    };
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n): (usize, usize) = (
        k.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if k == 0 || k > n || n > 100_000 {
        return Err(bad());
    }
    Ok((k, n))
}

/// The grid without its mask (the merged result takes its cells from the parts' origins).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridSpec {
    pub west: f64,
    pub north: f64,
    pub dlon: f64,
    pub dlat: f64,
    pub cols: usize,
    pub rows: usize,
    pub cell_m: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartOrigin {
    pub id: String,
    pub lonlat: [f64; 2],
    #[serde(default)]
    pub cell: Option<usize>,
}

/// One shard's answer, with what is needed to check and merge it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Part {
    pub format: String,
    pub shard: usize,
    pub shards: usize,
    /// Identifies the query and city; every part of one run carries the same.
    pub job: String,
    /// Origins in the whole run.
    pub total_origins: usize,
    pub grid: Option<GridSpec>,
    pub measures: Vec<Measure>,
    pub metadata: AccessMetadata,
    pub origins: Vec<PartOrigin>,
    /// Row-major values; `null` for NaN (JSON has no NaN).
    pub values: Vec<Option<f32>>,
}

/// FNV-1a, 64 bits: a stable fingerprint of the query text and the city.
pub fn fingerprint(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

impl Part {
    pub fn new(r: &AccessResult, job: String, shard: usize, shards: usize, total: usize) -> Part {
        Part {
            format: PART_FORMAT.into(),
            shard,
            shards,
            job,
            total_origins: total,
            grid: r.grid.as_ref().map(|g| GridSpec {
                west: g.west,
                north: g.north,
                dlon: g.dlon,
                dlat: g.dlat,
                cols: g.cols,
                rows: g.rows,
                cell_m: g.cell_m,
            }),
            measures: r.measures.clone(),
            metadata: r.metadata.clone(),
            origins: r
                .origins
                .iter()
                .map(|o| PartOrigin {
                    id: o.id.clone(),
                    lonlat: o.lonlat,
                    cell: o.cell,
                })
                .collect(),
            values: r
                .values
                .iter()
                .map(|v| (!v.is_nan()).then_some(*v))
                .collect(),
        }
    }
}

fn mismatch(what: &str, shard: usize) -> AccessError {
    AccessError::invalid(
        "parts",
        format!("part of shard {shard} has another {what} than shard 1: not from the same run"),
    )
}

/// Puts the parts of one run back together: every shard 1..=N exactly once, the same job, grid
/// and measures; origins and values in shard order.
pub fn merge(mut parts: Vec<Part>) -> Result<AccessResult, AccessError> {
    if parts.is_empty() {
        return Err(AccessError::invalid("parts", "no part given"));
    }
    for p in &parts {
        if p.format != PART_FORMAT {
            return Err(AccessError::invalid(
                "parts",
                format!("'{}' is not a {PART_FORMAT} file", p.format),
            ));
        }
    }
    parts.sort_by_key(|p| p.shard);
    let n = parts[0].shards;
    let shards: Vec<usize> = parts.iter().map(|p| p.shard).collect();
    if shards != (1..=n).collect::<Vec<_>>() || parts.iter().any(|p| p.shards != n) {
        let missing: Vec<String> = (1..=n)
            .filter(|k| !shards.contains(k))
            .map(|k| k.to_string())
            .collect();
        let mut dup: Vec<usize> = shards
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| w[0])
            .collect();
        dup.dedup();
        return Err(AccessError::invalid(
            "parts",
            format!(
                "expected shards 1..{n} once each; missing [{}], repeated {dup:?}",
                missing.join(", ")
            ),
        ));
    }
    let first = &parts[0];
    for p in &parts[1..] {
        if p.job != first.job {
            return Err(mismatch("query", p.shard));
        }
        if p.grid != first.grid {
            return Err(mismatch("grid", p.shard));
        }
        if p.measures != first.measures {
            return Err(mismatch("set of measures", p.shard));
        }
    }
    let m = first.measures.len();
    let total: usize = parts.iter().map(|p| p.origins.len()).sum();
    if total != first.total_origins {
        return Err(AccessError::invalid(
            "parts",
            format!(
                "the parts hold {total} origins; the run has {}",
                first.total_origins
            ),
        ));
    }
    let mut metadata = first.metadata.clone();
    metadata.origin_count = total;
    metadata.origins_skipped = parts.iter().map(|p| p.metadata.origins_skipped).sum();
    let grid = first.grid.clone();
    let measures = first.measures.clone();
    let mut origins = Vec::with_capacity(total);
    let mut values = Vec::with_capacity(total * m);
    for p in parts {
        if p.values.len() != p.origins.len() * m {
            return Err(AccessError::invalid(
                "parts",
                format!(
                    "shard {}: {} values for {} origins",
                    p.shard,
                    p.values.len(),
                    p.origins.len()
                ),
            ));
        }
        values.extend(p.values.into_iter().map(|v| v.unwrap_or(f32::NAN)));
        origins.extend(p.origins.into_iter().map(|o| OriginPoint {
            id: o.id,
            lonlat: o.lonlat,
            cell: o.cell,
        }));
    }
    let grid = match grid {
        None => None,
        Some(g) => {
            let mut inside = vec![false; g.rows * g.cols];
            for o in &origins {
                match o.cell {
                    Some(c) if c < inside.len() => inside[c] = true,
                    _ => {
                        return Err(AccessError::invalid(
                            "parts",
                            format!("origin {} has no cell of the grid", o.id),
                        ))
                    }
                }
            }
            Some(Grid {
                west: g.west,
                north: g.north,
                dlon: g.dlon,
                dlat: g.dlat,
                cols: g.cols,
                rows: g.rows,
                cell_m: g.cell_m,
                inside,
            })
        }
    };
    Ok(AccessResult {
        origins,
        grid,
        measures,
        values,
        metadata,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_origin_once() {
        for len in [0, 1, 7, 100, 32_574] {
            for n in [1, 2, 3, 8, 13] {
                let mut next = 0;
                for k in 1..=n {
                    let r = range(len, k, n);
                    assert_eq!(r.start, next);
                    next = r.end;
                }
                assert_eq!(next, len);
            }
        }
        assert_eq!(parse("2/8").unwrap(), (2, 8));
        for bad in ["0/3", "4/3", "x/3", "3", "1/0", "1/200000"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
