use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = cityreach::cli::Cli::parse();
    cityreach::cli::run(cli)
}
