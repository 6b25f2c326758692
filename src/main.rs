//! Thin entry point: parse flags, run, map the outcome to an exit code.
//!
//! Every error leaves as one line on stderr (`keytrace: error: ...`) with exit status 2, clap's
//! usage errors included. A panic prints where it happened but never its message: a message
//! built from scanned data could carry a secret.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "keytrace: internal error{at} (its message is withheld, as it may quote scanned data); please report it"
        );
    }));
    let cli = match keytrace::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return usage_error(err),
    };
    match keytrace::app::run(cli) {
        Ok(status) => ExitCode::from(status.code()),
        Err(err) => {
            if err.chain().any(is_broken_pipe) {
                return ExitCode::SUCCESS;
            }
            eprintln!(
                "keytrace: error: {}",
                keytrace::exit::one_line(&format!("{err:#}"))
            );
            ExitCode::from(keytrace::exit::ExitStatus::Error.code())
        }
    }
}

/// Help and version go to stdout as clap writes them (help for a bare `keytrace` to stderr,
/// exit 2); a usage error is one line, exit 2.
fn usage_error(err: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) {
        let _ = err.print();
        return ExitCode::SUCCESS;
    }
    if err.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        let _ = err.print();
        return ExitCode::from(keytrace::exit::ExitStatus::Error.code());
    }
    let rendered = err.render().to_string();
    let first = rendered
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("invalid command line");
    let first = first.strip_prefix("error: ").unwrap_or(first);
    eprintln!(
        "keytrace: error: {} (see `keytrace --help`)",
        keytrace::exit::one_line(first)
    );
    ExitCode::from(keytrace::exit::ExitStatus::Error.code())
}

fn is_broken_pipe(cause: &(dyn std::error::Error + 'static)) -> bool {
    cause
        .downcast_ref::<std::io::Error>()
        .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}
