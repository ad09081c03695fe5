//! Name search over Chinese names, English names, pinyin and aliases.
//!
//! Names and queries are folded the same way: lower case, tone marks and other diacritics
//! dropped, full-width Latin made ASCII, whitespace and punctuation removed. So "Er Qi",
//! "èrqī" and "erqi" are one key, and "zhengzhoudong" is a prefix of "Zhengzhou Dong Zhan".
//! Ranking: exact > prefix > substring; when none of those match, fuzzy (edit distance /
//! shared characters).

use super::model::Feature;
use serde::Serialize;
use std::collections::HashMap;

/// One feature found by [`super::Catalog::search`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    /// Index of the feature in [`super::Catalog::features`].
    pub feature: usize,
    /// 1.0 exact, 0.8–0.9 prefix, 0.6–0.7 substring, below 0.5 fuzzy.
    pub score: f64,
    /// The name (as written in the data) that matched.
    pub matched: String,
}

/// Hits best first; when there are none, the names closest to what was typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SearchResults {
    pub hits: Vec<SearchHit>,
    pub suggestions: Vec<String>,
}

/// Fuzzy matches below this similarity are not hits.
const FUZZY_MIN: f64 = 0.6;
/// How many names a miss suggests.
const SUGGESTIONS: usize = 5;

#[derive(Debug, Clone)]
struct NameEntry {
    feature: usize,
    key: String,
    chars: Box<[char]>,
    original: String,
}

/// Folded names of every feature, built once with the catalog.
#[derive(Debug, Clone, Default)]
pub(crate) struct NameIndex {
    entries: Vec<NameEntry>,
    exact: HashMap<String, Vec<usize>>,
    /// Entries containing each character pair (each entry once, ascending): a name contains
    /// the query only if it has every pair of it, so the rarest pair bounds the scan.
    pairs: HashMap<(char, char), Vec<u32>>,
    /// The same for single characters, for one-character queries.
    singles: HashMap<char, Vec<u32>>,
    /// Characters in the longest name, to refuse absurdly long queries at once.
    longest: usize,
}

impl NameIndex {
    pub fn new(features: &[Feature]) -> Self {
        let mut idx = NameIndex::default();
        for (i, f) in features.iter().enumerate() {
            for name in f.names() {
                let key = normalise(name);
                if key.is_empty() {
                    continue;
                }
                let list = idx.exact.entry(key.clone()).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
                let e = idx.entries.len() as u32;
                let chars: Vec<char> = key.chars().collect();
                for &c in &chars {
                    let list = idx.singles.entry(c).or_default();
                    if list.last() != Some(&e) {
                        list.push(e);
                    }
                }
                for w in chars.windows(2) {
                    let list = idx.pairs.entry((w[0], w[1])).or_default();
                    if list.last() != Some(&e) {
                        list.push(e);
                    }
                }
                idx.entries.push(NameEntry {
                    feature: i,
                    chars: chars.into_boxed_slice(),
                    key,
                    original: name.to_string(),
                });
            }
        }
        idx.longest = idx.entries.iter().map(|e| e.chars.len()).max().unwrap_or(0);
        idx
    }

    /// Features one of whose names folds to exactly `key`, in catalog order.
    pub fn exact(&self, key: &str) -> &[usize] {
        self.exact.get(key).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Whether a feature has a name containing the folded `key`.
    pub fn feature_matches(&self, f: &Feature, key: &str) -> bool {
        key.is_empty() || f.names().any(|n| normalise(n).contains(key))
    }

    pub fn search(&self, text: &str, limit: usize) -> SearchResults {
        let q = normalise(text);
        if q.is_empty() || limit == 0 {
            return SearchResults::default();
        }
        let qchars: Vec<char> = q.chars().collect();
        // No name contains, or is a near miss of, a query four times longer than the longest
        // name; comparing such a query with every name would only burn time (edit distance is
        // quadratic), so it finds nothing and suggests nothing.
        if qchars.len() > 4 * self.longest + 16 {
            return SearchResults::default();
        }
        // feature → (score, entry)
        let mut best: HashMap<usize, (f64, usize)> = HashMap::new();
        let offer = |best: &mut HashMap<usize, (f64, usize)>, feature, score, entry| {
            let slot = best.entry(feature).or_insert((score, entry));
            if score > slot.0 {
                *slot = (score, entry);
            }
        };
        for &e in self.containing(&qchars) {
            let e = e as usize;
            let entry = &self.entries[e];
            let ratio = qchars.len() as f64 / entry.chars.len() as f64;
            let score = if entry.key == q {
                1.0
            } else if entry.key.starts_with(&q) {
                0.8 + 0.1 * ratio
            } else if entry.key.contains(&q) {
                0.6 + 0.1 * ratio
            } else {
                continue;
            };
            offer(&mut best, entry.feature, score, e);
        }
        // Fuzzy matching is the fallback when nothing contains the query: near-misses would
        // only bury the real matches.
        if best.is_empty() {
            for (e, entry) in self.entries.iter().enumerate() {
                if best.contains_key(&entry.feature) {
                    continue;
                }
                let sim = similarity(&qchars, &entry.chars);
                if sim >= FUZZY_MIN {
                    offer(&mut best, entry.feature, 0.5 * sim, e);
                }
            }
            // A feature found fuzzily by one name may match better by another.
            if best.values().any(|(s, _)| *s < 0.6) {
                for (e, entry) in self.entries.iter().enumerate() {
                    if let Some(&(s, _)) = best.get(&entry.feature) {
                        if s < 0.6 {
                            let sim = 0.5 * similarity(&qchars, &entry.chars);
                            offer(&mut best, entry.feature, sim, e);
                        }
                    }
                }
            }
        }
        let mut hits: Vec<SearchHit> = best
            .into_iter()
            .map(|(feature, (score, e))| SearchHit {
                feature,
                score,
                matched: self.entries[e].original.clone(),
            })
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.feature.cmp(&b.feature)));
        hits.truncate(limit);
        let suggestions = if hits.is_empty() {
            self.closest_names(&qchars)
        } else {
            Vec::new()
        };
        SearchResults { hits, suggestions }
    }

    /// Entries that may contain the folded query (a superset; callers test `contains`).
    fn containing(&self, q: &[char]) -> &[u32] {
        if let [c] = q {
            return self.singles.get(c).map(Vec::as_slice).unwrap_or(&[]);
        }
        let mut best: &[u32] = &[];
        for (i, w) in q.windows(2).enumerate() {
            match self.pairs.get(&(w[0], w[1])) {
                None => return &[],
                Some(list) if i == 0 || list.len() < best.len() => best = list,
                Some(_) => {}
            }
        }
        best
    }

    /// The names most similar to the query, however weakly.
    fn closest_names(&self, q: &[char]) -> Vec<String> {
        let mut scored: Vec<(f64, usize)> = self
            .entries
            .iter()
            .enumerate()
            .map(|(e, entry)| (similarity(q, &entry.chars), e))
            .filter(|(s, _)| *s > 0.0)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut out: Vec<String> = Vec::new();
        for (_, e) in scored {
            let name = &self.entries[e].original;
            if !out.contains(name) {
                out.push(name.clone());
                if out.len() == SUGGESTIONS {
                    break;
                }
            }
        }
        out
    }
}

/// Folds a name or query for matching: lower case, no diacritics, ASCII for full-width Latin,
/// only letters and digits (Chinese characters are letters).
pub fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = fold_char(c);
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        }
    }
    out
}

fn fold_char(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' | 'ā' | 'ǎ' | 'ă' | 'ą' => 'a',
        'À' | 'Á' | 'Â' | 'Ä' | 'Ã' | 'Å' | 'Ā' | 'Ǎ' => 'a',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ě' | 'ę' => 'e',
        'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ě' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ǐ' => 'i',
        'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' | 'Ǐ' => 'i',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' | 'ō' | 'ǒ' | 'ø' => 'o',
        'Ò' | 'Ó' | 'Ô' | 'Ö' | 'Õ' | 'Ō' | 'Ǒ' | 'Ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ǔ' | 'ǖ' | 'ǘ' | 'ǚ' | 'ǜ' => 'u',
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ǔ' | 'Ǖ' | 'Ǘ' | 'Ǚ' | 'Ǜ' => 'u',
        'ñ' | 'ń' | 'ň' | 'Ñ' | 'Ń' | 'Ň' => 'n',
        'ç' | 'Ç' => 'c',
        'ḿ' => 'm',
        // Full-width ASCII forms, common in Chinese input methods.
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        _ => c,
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x9fff | 0xf900..=0xfaff | 0x20000..=0x2ffff)
}

/// Similarity in 0..=1: the best of whole-name edit similarity, edit similarity against the
/// name's start (typos in partial input), and shared characters (Chinese) or shared letter
/// pairs (Latin).
fn similarity(q: &[char], name: &[char]) -> f64 {
    if q.is_empty() || name.is_empty() {
        return 0.0;
    }
    let whole = 1.0 - levenshtein(q, name) as f64 / q.len().max(name.len()) as f64;
    let prefix = if name.len() > q.len() {
        0.9 * (1.0 - levenshtein(q, &name[..q.len()]) as f64 / q.len() as f64)
    } else {
        0.0
    };
    let overlap = if q.iter().any(|&c| is_cjk(c)) {
        dice(q, name, 1)
    } else {
        dice(q, name, 2)
    };
    whole.max(prefix).max(overlap)
}

/// Dice coefficient over the multisets of n-grams (n = 1 or 2).
fn dice(a: &[char], b: &[char], n: usize) -> f64 {
    if a.len() < n || b.len() < n {
        return 0.0;
    }
    let grams = |s: &[char]| -> Vec<(char, char)> {
        s.windows(n)
            .map(|w| (w[0], if n == 2 { w[1] } else { '\0' }))
            .collect()
    };
    let (ga, mut gb) = (grams(a), grams(b));
    let total = ga.len() + gb.len();
    let mut common = 0;
    for g in &ga {
        if let Some(pos) = gb.iter().position(|x| x == g) {
            gb.swap_remove(pos);
            common += 1;
        }
    }
    2.0 * common as f64 / total as f64
}

fn levenshtein(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_case_space_and_tones() {
        assert_eq!(normalise("Er Qi"), "erqi");
        assert_eq!(normalise("èrqī"), "erqi");
        assert_eq!(normalise("Zhengzhou Dong Zhan"), "zhengzhoudongzhan");
        assert_eq!(normalise(" 二七 商圈 "), "二七商圈");
        assert_eq!(normalise("ＥＲＱＩ"), "erqi");
        assert_eq!(normalise("Lǚ-yóu"), "luyou");
    }

    #[test]
    fn pair_index_finds_every_name_containing_the_query() {
        let names = ["郑州东站", "东站广场", "Zhengzhou Dong Zhan", "dong", "站"];
        let mut idx = NameIndex::default();
        for (i, n) in names.iter().enumerate() {
            // One single-name feature per entry is enough here.
            let key = normalise(n);
            let chars: Vec<char> = key.chars().collect();
            let e = idx.entries.len() as u32;
            for &c in &chars {
                let l = idx.singles.entry(c).or_default();
                if l.last() != Some(&e) {
                    l.push(e);
                }
            }
            for w in chars.windows(2) {
                let l = idx.pairs.entry((w[0], w[1])).or_default();
                if l.last() != Some(&e) {
                    l.push(e);
                }
            }
            idx.entries.push(NameEntry {
                feature: i,
                key,
                chars: chars.into_boxed_slice(),
                original: n.to_string(),
            });
        }
        for q in ["东站", "站", "dong", "zhan", "ngd", "x", "东站广场"] {
            let qc: Vec<char> = normalise(q).chars().collect();
            let mut via: Vec<usize> = idx
                .containing(&qc)
                .iter()
                .map(|&e| e as usize)
                .filter(|&e| idx.entries[e].key.contains(&normalise(q)))
                .collect();
            via.sort();
            let brute: Vec<usize> = (0..idx.entries.len())
                .filter(|&e| idx.entries[e].key.contains(&normalise(q)))
                .collect();
            assert_eq!(via, brute, "{q}");
        }
    }

    #[test]
    fn edit_distance_and_overlap() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(levenshtein(&c("kitten"), &c("sitting")), 3);
        assert_eq!(levenshtein(&c(""), &c("abc")), 3);
        assert!((dice(&c("东站郑州"), &c("郑州东站"), 1) - 1.0).abs() < 1e-12);
        assert!(similarity(&c("zhengzou"), &c("zhengzhoudongzhan")) >= FUZZY_MIN);
    }
}
