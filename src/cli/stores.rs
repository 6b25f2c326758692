//! Flags of config-store scanning (`--config-stores`, `--home`, etcd options).

use clap::Args;

#[derive(Debug, Clone, Default, Args)]
pub struct StoreArgs {}
