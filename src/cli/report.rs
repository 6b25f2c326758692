//! Flags of `keytrace report`.

use clap::Subcommand;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Summarise a saved JSON report by owner: findings per severity and keys verified active.
    Owners {
        /// A report written with `keytrace scan --format json`.
        #[arg(value_name = "FILE.json")]
        file: PathBuf,
    },
}
