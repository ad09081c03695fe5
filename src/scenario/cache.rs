//! Compiled request scenarios, kept so a repeated scenario costs what a named one does.
//!
//! The key is a content hash of the base (its id and its own modifications) and the canonical
//! JSON of the request's modifications (the typed list written back: fixed field order,
//! defaults filled, numbers normalised), so the same edit written two ways shares an entry.
//! At most [`CAPACITY`] entries; the least recently used one goes first.

use super::model::Modification;
use super::{Compiled, ScenarioError};
use crate::city::City;
use std::sync::{Arc, Mutex};

/// Compiled scenarios kept per city.
pub const CAPACITY: usize = 32;

/// FNV-1a, 64 bits: stable across runs and platforms, so a hash in an answer can be compared
/// with one from another run.
fn fnv1a(bytes: &[u8], mut h: u64) -> u64 {
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The content hash of a base scenario and modifications: 16 hex digits.
pub fn content_hash(city: &City, base: usize, modifications: &[Modification]) -> String {
    let b = &city.transit.scenarios[base];
    let base_json = serde_json::to_string(&(&b.id, &b.modifications)).unwrap_or_default();
    let mods_json = serde_json::to_string(modifications).unwrap_or_default();
    let h = fnv1a(base_json.as_bytes(), 0xcbf2_9ce4_8422_2325);
    let h = fnv1a(&[0], h);
    format!("{:016x}", fnv1a(mods_json.as_bytes(), h))
}

#[derive(Default)]
pub struct ScenarioCache {
    /// Most recently used last.
    entries: Mutex<Vec<(String, Arc<Compiled>)>>,
}

impl std::fmt::Debug for ScenarioCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ScenarioCache({} entries)", self.len())
    }
}

impl ScenarioCache {
    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The compiled scenario, from the cache or compiled now (outside the lock, so other
    /// requests are not held up; two compiling the same scenario at once both succeed).
    pub fn get_or_compile(
        &self,
        city: &City,
        base: &str,
        modifications: &[Modification],
    ) -> Result<Arc<Compiled>, ScenarioError> {
        let key = match city.transit.scenario_index(base) {
            Some(b) => format!("{base}\u{0}{}", content_hash(city, b, modifications)),
            None => return super::compile(city, base, modifications).map(Arc::new),
        };
        if let Ok(mut e) = self.entries.lock() {
            if let Some(pos) = e.iter().position(|(k, _)| *k == key) {
                let hit = e.remove(pos);
                let c = hit.1.clone();
                e.push(hit);
                return Ok(c);
            }
        }
        let c = Arc::new(super::compile(city, base, modifications)?);
        if let Ok(mut e) = self.entries.lock() {
            if !e.iter().any(|(k, _)| *k == key) {
                if e.len() >= CAPACITY {
                    e.remove(0);
                }
                e.push((key, c.clone()));
            }
        }
        Ok(c)
    }
}
