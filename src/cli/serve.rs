use super::{CityArgs, CliError};
use std::io::Write;
use std::sync::Arc;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on (port 0: any free port, printed at start).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: String,
    #[command(flatten)]
    city: CityArgs,
}

pub fn run(args: Args) -> Result<(), CliError> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Logs go to stderr; stdout carries only the start-up line.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes only for a terminal: log files and CI output stay plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();

    let city = Arc::new(args.city.load()?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Io(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&args.addr)
            .await
            .map_err(|e| CliError::Input(format!("--addr {}: cannot listen: {e}", args.addr)))?;
        let addr = listener
            .local_addr()
            .map_err(|e| CliError::Io(format!("cannot read the bound address: {e}")))?;
        println!(
            "cityreach serving {} ({} features, {} stops, scenarios: {}) at http://{addr}/ (map: http://{addr}/map/)",
            crate::server::city_name(&city),
            city.catalog.len(),
            city.transit.stops.len(),
            city.scenario_ids().join(", "),
        );
        let _ = std::io::stdout().flush();
        tracing::info!(%addr, "listening");
        crate::server::serve(listener, city)
            .await
            .map_err(|e| CliError::Io(format!("server error: {e}")))
    })
}
