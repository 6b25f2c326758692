//! Command-line flags (clap derive only). `settings` turns these raw flags into resolved settings.

pub mod archive;
pub mod history;
pub mod policy;
pub mod report;
pub mod scan;
pub mod stores;
pub mod sweep;
pub mod verify;

pub use report::ReportCommand;
pub use scan::{OutputArgs, ScanArgs};

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// keytrace: find long-lived credentials in directories, git history and config stores, and tie
/// each one to an owner.
#[derive(Debug, Parser)]
#[command(
    name = "keytrace",
    version,
    about,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files, git history, staged changes, config stores or etcd for secrets.
    Scan(Box<ScanArgs>),
    /// Accept today's findings so that only new ones fail.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Write a plain `.git/hooks/pre-commit` that runs `keytrace scan --staged`.
    InstallHook {
        /// Repository (default: the current directory).
        #[arg(default_value = ".")]
        repo: PathBuf,
        /// Replace an existing hook that keytrace did not write.
        #[arg(long)]
        force: bool,
    },
    /// Inspect and validate rule files.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Work with a saved JSON report.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Sweep many repositories (a directory, a list, a GitHub organisation, a GitLab group):
    /// incremental across runs with a state database, shardable across machines.
    Sweep(Box<sweep::SweepArgs>),
    /// Merge shard reports (JSON or SARIF) into one, deduplicated by fingerprint.
    Merge(sweep::MergeArgs),
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List the rules (embedded plus --rules).
    List {
        /// Extra rule files or directories.
        #[arg(long, value_name = "DIR")]
        rules: Vec<PathBuf>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Check rule files: syntax, patterns, and every positive and negative example.
    Check {
        /// Rule directory or file to check (default: the embedded rules).
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Scan (same flags as `scan`) and write the findings' fingerprints to `-o FILE`
    /// (default .keytrace-baseline.json).
    Create(Box<ScanArgs>),
}
