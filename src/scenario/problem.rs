//! What is wrong with a list of modifications, one problem per field at fault.

use serde::Serialize;

/// The most modifications one scenario may hold.
pub const MAX_MODIFICATIONS: usize = 50;

/// One thing wrong with one modification.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// Position in the list of modifications (`None`: the list or the scenario as a whole).
    pub index: Option<usize>,
    /// The modification's `type` as given.
    #[serde(rename = "type")]
    pub kind: String,
    /// The field at fault, e.g. `stops[1]` or `headway_min`.
    pub field: String,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<String>,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.index {
            Some(i) => write!(f, "modification {i} ({}), {}: ", self.kind, self.field)?,
            None => write!(f, "{}: ", self.field)?,
        }
        write!(f, "{}", self.message)?;
        if !self.suggestions.is_empty() {
            write!(f, " (did you mean: {}?)", self.suggestions.join(", "))?;
        }
        Ok(())
    }
}
