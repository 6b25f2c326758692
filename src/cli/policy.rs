//! Flags of policy: config file, baseline, exit codes.

use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Clone, Default, Args)]
pub struct PolicyArgs {
    /// Configuration file (default: keytrace.toml at the repository root or scanned directory).
    #[arg(long, value_name = "FILE", help_heading = "Policy")]
    pub config: Option<PathBuf>,
    /// Suppress findings recorded in this baseline (see `keytrace baseline create`).
    #[arg(long, value_name = "FILE", help_heading = "Policy")]
    pub baseline: Option<PathBuf>,
    /// Exit status when failing findings are reported (default 1).
    #[arg(long, value_name = "N", default_value_t = 1, help_heading = "Policy")]
    pub exit_code: u8,
    /// Only findings of this severity or above fail the run; `risk:N` fails on a risk score of N
    /// or more (0–100, see docs/risk.md).
    #[arg(long, value_name = "SEVERITY|risk:N", help_heading = "Policy")]
    pub fail_on: Option<crate::policy::FailOn>,
}
