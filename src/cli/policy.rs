//! Flags of policy: config file, baseline, allowlists, exit codes, confidence filter.

use clap::Args;

#[derive(Debug, Clone, Default, Args)]
pub struct PolicyArgs {}
