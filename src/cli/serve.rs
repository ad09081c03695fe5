use super::CliError;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> Result<(), CliError> {
    Err(CliError::Input(
        "this command is not available in this build".into(),
    ))
}
