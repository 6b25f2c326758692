//! Flags of config-store scanning (`--config-stores`, `--home`, etcd options).

use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Clone, Default, Args)]
pub struct StoreArgs {
    /// Scan the current user's known credential and AI-agent config files (MCP servers, cloud
    /// CLIs, docker, kubeconfig, package registries) instead of a directory.
    #[arg(long, help_heading = "Config stores and etcd")]
    pub config_stores: bool,

    /// Home directory searched by `--config-stores` (default: $HOME; with --home, the XDG
    /// config directory is DIR/.config).
    #[arg(
        long,
        value_name = "DIR",
        requires = "config_stores",
        help_heading = "Config stores and etcd"
    )]
    pub home: Option<PathBuf>,

    /// etcd user for `etcd://` targets (authenticates through /v3/auth/authenticate).
    #[arg(
        long,
        value_name = "USER",
        requires = "etcd_password",
        help_heading = "Config stores and etcd"
    )]
    pub etcd_user: Option<String>,

    /// etcd password for `--etcd-user`.
    #[arg(
        long,
        value_name = "PASSWORD",
        env = "KEYTRACE_ETCD_PASSWORD",
        hide_env_values = true,
        help_heading = "Config stores and etcd"
    )]
    pub etcd_password: Option<String>,

    /// CA certificate (PEM) that signs an `etcds://` server's certificate.
    #[arg(long, value_name = "FILE", help_heading = "Config stores and etcd")]
    pub etcd_ca: Option<PathBuf>,
}
