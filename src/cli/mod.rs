//! The command line: argument structures and the commands they run. `main.rs` only parses and
//! calls [`run`].

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// City planning features, transport networks and reach queries.
#[derive(Debug, Parser)]
#[command(name = "cityreach", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
}

/// Runs a parsed command line; errors are printed to stderr with a non-zero exit code.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {}
}
