//! `cityreach import-osm FILE.osm.pbf --out DIR`: builds the walk, bike and drive graphs.
//!
//! Hidden options serve the comparison with other engines (scripts/compare-pgrouting.sh): export
//! a graph as an edge table, snap origins to graph vertices, and time one-to-all searches.

use super::CliError;
use crate::network::streets::osm::{self, Graph, Search};
use crate::network::streets::StreetMode;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// OpenStreetMap extract to import (.osm.pbf).
    pub file: Option<PathBuf>,
    /// Folder to write walk.graph, bike.graph and drive.graph into.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Read graphs from this folder instead of importing.
    #[arg(long, hide = true)]
    pub graphs: Option<PathBuf>,
    /// Mode the tools below work on.
    #[arg(long, hide = true, default_value = "drive")]
    pub mode: StreetMode,
    /// Write the graph as an edge table: id,source,target,cost,reverse_cost (seconds; -1 closed).
    #[arg(long, hide = true)]
    pub export_edges: Option<PathBuf>,
    /// CSV of origins (lon,lat first, with a header) to snap to the nearest graph vertex.
    #[arg(long, hide = true)]
    pub origins: Option<PathBuf>,
    /// Write origin,vertex for the snapped origins (vertex ids as in the edge table).
    #[arg(long, hide = true)]
    pub snapped_out: Option<PathBuf>,
    /// Write origin,vertex,secs of every vertex reached from each origin.
    #[arg(long, hide = true)]
    pub times_out: Option<PathBuf>,
    /// Write origin,ms: the median time of one search from each origin.
    #[arg(long, hide = true)]
    pub latency_out: Option<PathBuf>,
    /// Search budget for the tools, seconds.
    #[arg(long, hide = true, default_value_t = 900.0)]
    pub budget_secs: f32,
    /// Runs per origin when timing.
    #[arg(long, hide = true, default_value_t = 20)]
    pub repeat: usize,
}

pub fn run(args: Args) -> Result<(), CliError> {
    let graphs_dir = match (&args.file, &args.out) {
        (Some(file), Some(out)) => {
            import(file, out)?;
            out.clone()
        }
        (Some(_), None) => return Err(CliError::Input("import-osm needs --out DIR".into())),
        (None, _) => args.graphs.clone().ok_or_else(|| {
            CliError::Input(
                "import-osm needs an OpenStreetMap extract (FILE.osm.pbf) and --out DIR".into(),
            )
        })?,
    };
    let tools = args.export_edges.is_some() || args.origins.is_some();
    if !tools {
        return Ok(());
    }
    let path = osm::graph_path(&graphs_dir, args.mode);
    let g = Graph::read(&path).map_err(|e| CliError::Input(e.to_string()))?;
    if let Some(csv) = &args.export_edges {
        export_edges(&g, csv)?;
    }
    if let Some(origins) = &args.origins {
        run_origins(&g, origins, &args)?;
    }
    Ok(())
}

fn import(file: &Path, out: &Path) -> Result<(), CliError> {
    let progress = if std::io::stderr().is_terminal() {
        ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    progress.set_style(
        ProgressStyle::with_template("{spinner} {elapsed} {msg} ({pos} elements)")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    progress.enable_steady_tick(Duration::from_millis(120));
    let started = Instant::now();
    let result = osm::import_pbf(file, out, &progress);
    progress.finish_and_clear();
    let summary = result.map_err(|e| match e {
        osm::OsmError::Io { .. } => CliError::Io(e.to_string()),
        _ => CliError::Input(e.to_string()),
    })?;
    println!(
        "imported {} into {} in {:.2} s: {} highway ways ({} touch nodes outside the extract)",
        file.display(),
        out.display(),
        started.elapsed().as_secs_f64(),
        summary.highway_ways,
        summary.ways_missing_nodes
    );
    println!(
        "{:<6} {:>9} {:>9} {:>9} {:>9} {:>11} {:>9}",
        "mode", "nodes", "edges", "segments", "km", "dropped cc", "dropped n"
    );
    for m in &summary.modes {
        println!(
            "{:<6} {:>9} {:>9} {:>9} {:>9.1} {:>11} {:>9}",
            m.mode.as_str(),
            m.nodes,
            m.edges,
            m.segments,
            m.km,
            m.dropped_components,
            m.dropped_nodes
        );
    }
    write_profile(file, out)
}

/// Makes the output folder a data folder too (`--data DIR`): a `city.toml` named after the
/// extract and bounded by its streets, unless the folder already has one.
fn write_profile(file: &Path, out: &Path) -> Result<(), CliError> {
    use crate::network::streets::StreetModel;
    let path = out.join(crate::dataset::PROFILE_FILE);
    if path.exists() {
        return Ok(());
    }
    let streets = osm::OsmStreets::load(out).map_err(|e| CliError::Data(e.to_string()))?;
    let Some(b) = streets.extent() else {
        return Ok(());
    };
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = name
        .trim_end_matches(".pbf")
        .trim_end_matches(".osm")
        .trim_end_matches("-latest");
    let text = format!(
        "# Written by import-osm from {}: the extract's streets bound the city.\n\
         name = {}\n\
         bbox = [{:.5}, {:.5}, {:.5}, {:.5}]\n",
        file.display(),
        toml::Value::String(name.to_string()),
        b[0] - 1e-5,
        b[1] - 1e-5,
        b[2] + 1e-5,
        b[3] + 1e-5
    );
    std::fs::write(&path, text).map_err(io_err(&path))?;
    println!(
        "wrote {} (use --data {} or --streets {})",
        path.display(),
        out.display(),
        out.display()
    );
    Ok(())
}

fn create(path: &Path) -> Result<std::io::BufWriter<std::fs::File>, CliError> {
    std::fs::File::create(path)
        .map(std::io::BufWriter::new)
        .map_err(|e| CliError::Io(format!("{}: {e}", path.display())))
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> CliError + '_ {
    move |e| CliError::Io(format!("{}: {e}", path.display()))
}

fn export_edges(g: &Graph, path: &Path) -> Result<(), CliError> {
    let mut w = create(path)?;
    let err = io_err(path);
    writeln!(w, "id,source,target,cost,reverse_cost").map_err(&err)?;
    for s in 0..g.num_segments() {
        let secs = g.seg_secs[s];
        let cost = |bit: u32| if g.seg_dir[s] & bit != 0 { secs } else { -1.0 };
        // Vertex ids start at 1 in the table.
        writeln!(
            w,
            "{},{},{},{},{}",
            s + 1,
            g.seg_a[s] + 1,
            g.seg_b[s] + 1,
            cost(1),
            cost(2)
        )
        .map_err(&err)?;
    }
    w.flush().map_err(&err)
}

fn read_origins(path: &Path) -> Result<Vec<[f64; 2]>, CliError> {
    let text = std::fs::read_to_string(path).map_err(io_err(path))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let mut f = line.split(',').map(|x| x.trim().parse::<f64>());
        match (f.next(), f.next()) {
            (Some(Ok(lon)), Some(Ok(lat))) => out.push([lon, lat]),
            _ => {
                return Err(CliError::Input(format!(
                    "{} line {}: expected lon,lat",
                    path.display(),
                    i + 1
                )))
            }
        }
    }
    Ok(out)
}

fn run_origins(g: &Graph, origins: &Path, args: &Args) -> Result<(), CliError> {
    let points = read_origins(origins)?;
    let nodes: Vec<u32> = points
        .iter()
        .map(|&p| {
            g.nearest_node(p)
                .ok_or_else(|| CliError::Data("the graph is empty".into()))
        })
        .collect::<Result<_, _>>()?;
    if let Some(path) = &args.snapped_out {
        let mut w = create(path)?;
        let err = io_err(path);
        writeln!(w, "origin,vertex").map_err(&err)?;
        for (i, v) in nodes.iter().enumerate() {
            writeln!(w, "{},{}", i + 1, v + 1).map_err(&err)?;
        }
        w.flush().map_err(&err)?;
    }
    let mut search = Search::new(g.num_nodes());
    if let Some(path) = &args.times_out {
        let mut w = create(path)?;
        let err = io_err(path);
        writeln!(w, "origin,vertex,secs").map_err(&err)?;
        for (i, &v) in nodes.iter().enumerate() {
            search.run(g, &[(v, 0.0, 0)], args.budget_secs);
            let mut reached: Vec<u32> = search.touched().to_vec();
            reached.sort_unstable();
            for u in reached {
                writeln!(w, "{},{},{}", i + 1, u + 1, search.dist()[u as usize]).map_err(&err)?;
            }
        }
        w.flush().map_err(&err)?;
    }
    if let Some(path) = &args.latency_out {
        let mut w = create(path)?;
        let err = io_err(path);
        writeln!(w, "origin,ms").map_err(&err)?;
        for (i, &v) in nodes.iter().enumerate() {
            let mut runs: Vec<f64> = (0..args.repeat.max(1))
                .map(|_| {
                    let t = Instant::now();
                    search.run(g, &[(v, 0.0, 0)], args.budget_secs);
                    t.elapsed().as_secs_f64() * 1000.0
                })
                .collect();
            runs.sort_by(f64::total_cmp);
            writeln!(w, "{},{:.4}", i + 1, runs[runs.len() / 2]).map_err(&err)?;
        }
        w.flush().map_err(&err)?;
    }
    Ok(())
}
