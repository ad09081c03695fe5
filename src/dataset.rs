//! A city's data, loaded once: catalog, districts, transit network, scenarios and targets.

use crate::catalog::Catalog;

/// Everything cityreach knows about one city.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub catalog: Catalog,
}
