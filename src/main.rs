//! Thin entry point: parse flags, run, map the outcome to an exit code.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = keytrace::cli::Cli::parse();
    match keytrace::app::run(cli) {
        Ok(status) => ExitCode::from(status.code()),
        Err(err) => {
            if err.chain().any(is_broken_pipe) {
                return ExitCode::SUCCESS;
            }
            eprintln!("keytrace: error: {err:#}");
            ExitCode::from(keytrace::exit::ExitStatus::Error.code())
        }
    }
}

fn is_broken_pipe(cause: &(dyn std::error::Error + 'static)) -> bool {
    cause
        .downcast_ref::<std::io::Error>()
        .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}
