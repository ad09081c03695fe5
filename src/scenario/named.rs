//! The named scenarios of a data folder (`scenarios/*.toml`), applied onto the feeds'
//! network as the city loads. They are written in the same modification language as a
//! request's scenario, so both go through the same checks and the same apply.

use super::{apply, resolve};
use crate::dataset::DataSource;
use crate::network::scenario::{Scenario, ScenarioError};
use crate::network::transit::{load_feeds, TransitError, TransitNetwork};

/// Loads `gtfs/` and every `scenarios/*.toml` of a data source: the feeds' network with each
/// named scenario added, and `existing` first.
pub fn load_network(source: &DataSource) -> Result<TransitNetwork, TransitError> {
    // A city without a feed is a street-only city: walk, bike and drive still work.
    let mut net = if !source.exists("gtfs") {
        TransitNetwork::empty()
    } else {
        TransitNetwork::from_feeds(load_feeds(source)?)
    };
    for name in source.list("scenarios")? {
        if name.ends_with(".toml") {
            let text = source.read_to_string(&name)?;
            let scenario = Scenario::parse(&text, &source.label(&name))?;
            add_named(&mut net, scenario)?;
        }
    }
    if !net.scenarios.iter().any(|s| s.id == "existing") {
        net.scenarios.insert(0, Scenario::existing());
        net.renumber_after_insert_front();
    }
    Ok(net)
}

/// Adds a named scenario: its modifications are checked against the base and applied as
/// elements tagged with the scenario's index.
pub fn add_named(net: &mut TransitNetwork, mut scenario: Scenario) -> Result<(), TransitError> {
    let si = net.scenarios.len();
    // Before the implicit `existing` is inserted, the untagged elements are the base.
    let base = net.scenario_index("existing").unwrap_or(usize::MAX - 1);
    let ctx = resolve::Context {
        net,
        base,
        area: None,
        catalog: None,
        named: true,
    };
    let resolved = resolve::resolve(&ctx, &scenario.modifications).map_err(|problems| {
        ScenarioError::Invalid {
            path: scenario.path.clone(),
            item: "modifications".into(),
            message: problems
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        }
    })?;
    apply::apply(net, si, &scenario.id, &resolved);
    apply::list_additions(net, &resolved, &mut scenario);
    net.scenarios.push(scenario);
    Ok(())
}
