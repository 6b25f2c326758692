//! Flags of live verification (`--verify`), owned by the verify module.

use clap::Args;

#[derive(Debug, Clone, Default, Args)]
pub struct VerifyArgs {}
