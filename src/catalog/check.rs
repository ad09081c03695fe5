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

    #[test]
    fn window_joins_the_next_two_non_blank_lines() {
        let lines = ["郑州 东", "", "站和", "  ", "小李庄", "站"];
        assert_eq!(citation_window(&lines, 1).unwrap(), "郑州东站和小李庄");
        assert_eq!(citation_window(&lines, 5).unwrap(), "小李庄站");
        assert!(citation_window(&lines, 7).is_none());
        assert!(citation_window(&lines, 0).is_none());
    }
}
