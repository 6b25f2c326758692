//! Dispatch: the only place that maps a parsed command line to a command implementation.

use crate::cli::{BaselineCommand, Cli, Command, ReportCommand, RulesCommand};
use crate::commands;
use crate::exit::ExitStatus;

/// Run a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    // The secret digest is chosen before anything is hashed, once for the whole run.
    crate::finding::digest::install(crate::finding::digest::Scheme::from_env()?)?;
    match cli.command {
        Command::Scan(args) => commands::scan::run(&args),
        Command::Baseline(BaselineCommand::Create(args)) => commands::baseline::create(&args),
        Command::InstallHook { repo, force } => commands::install_hook::install(&repo, force),
        Command::Rules(RulesCommand::List { rules, json }) => commands::rules::list(&rules, json),
        Command::Rules(RulesCommand::Check { dir }) => commands::rules::check(dir.as_deref()),
        Command::Report(ReportCommand::Owners { file }) => commands::report::owners(&file),
        Command::Report(ReportCommand::Summary(args)) => commands::report::summary(&args),
        Command::Sweep(args) => commands::sweep::run(&args),
        Command::Merge(args) => commands::merge::run(&args),
    }
}
