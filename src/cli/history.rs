//! Flags of git scanning (`--history`, `--staged`, `--range`, ...).

use clap::Args;

#[derive(Debug, Clone, Default, Args)]
pub struct HistoryArgs {}
