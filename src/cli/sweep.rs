//! Flags of `keytrace sweep` and `keytrace merge`.

use crate::cli::scan::{ColorChoice, parse_size};
use crate::report::Format;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Every git repository directly below DIR (bare or not), scanned in place (repeatable).
    #[arg(long, value_name = "DIR", help_heading = "Repositories")]
    pub repos_dir: Vec<PathBuf>,
    /// Repository paths or clone URLs, one per line, `#` comments (repeatable).
    #[arg(long, value_name = "FILE", help_heading = "Repositories")]
    pub repo_list: Vec<PathBuf>,
    /// Container images, one per line: a `docker save` tarball or OCI layout (archive or
    /// directory) path, or docker://NAME; `#` comments (repeatable). A layer already matched
    /// under the same rules is not read again.
    #[arg(long, value_name = "FILE", help_heading = "Repositories")]
    pub image_list: Vec<PathBuf>,
    /// Every repository of a GitHub organisation (token from GITHUB_TOKEN; repeatable).
    #[arg(long, value_name = "ORG", help_heading = "Repositories")]
    pub github_org: Vec<String>,
    /// Every project of a GitLab group and its subgroups (token from GITLAB_TOKEN; repeatable).
    #[arg(long, value_name = "GROUP", help_heading = "Repositories")]
    pub gitlab_group: Vec<String>,
    /// REST API root of the provider (default https://api.github.com, or
    /// https://gitlab.com/api/v4 with --gitlab-group; GitHub Enterprise Server:
    /// https://HOST/api/v3, self-managed GitLab: https://HOST/api/v4).
    #[arg(long, value_name = "URL", help_heading = "Repositories")]
    pub api_url: Option<String>,
    /// With --github-org or --gitlab-group: include archived repositories.
    #[arg(long, help_heading = "Repositories")]
    pub include_archived: bool,
    /// With --github-org or --gitlab-group: include forks.
    #[arg(long, help_heading = "Repositories")]
    pub include_forks: bool,

    /// State database: what earlier runs matched and found.
    #[arg(
        long,
        value_name = "FILE",
        default_value = "keytrace-state.db",
        help_heading = "Sweep"
    )]
    pub state: PathBuf,
    /// Where clone URLs are mirrored (default: keytrace-cache next to the state file).
    #[arg(long, value_name = "DIR", help_heading = "Sweep")]
    pub cache_dir: Option<PathBuf>,
    /// Only the repositories of shard K of N (0-based), partitioned by a hash of their identity.
    #[arg(long, value_name = "K/N", help_heading = "Sweep")]
    pub shard: Option<String>,
    /// Repositories scanned at once.
    #[arg(long, value_name = "N", default_value_t = 2, help_heading = "Sweep")]
    pub jobs: usize,
    /// Clones or fetches at once.
    #[arg(long, value_name = "N", default_value_t = 4, help_heading = "Sweep")]
    pub clone_jobs: usize,
    /// Blob-matching threads shared by all repositories (default: one per core).
    #[arg(
        long,
        short = 'j',
        value_name = "N",
        default_value_t = 0,
        value_parser = super::scan::parse_threads,
        help_heading = "Sweep"
    )]
    pub threads: usize,
    /// Skip blobs larger than this (bytes, or with K/M/G suffix).
    #[arg(long, value_name = "SIZE", default_value = "25M", value_parser = parse_size, help_heading = "Sweep")]
    pub max_file_size: u64,
    /// Never show a progress bar.
    #[arg(long, help_heading = "Sweep")]
    pub no_progress: bool,
    #[command(flatten)]
    pub archives: super::archive::ArchiveArgs,

    /// Extra rule files or directories (added to the embedded rules).
    #[arg(long, value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Report findings of this confidence and above: high, medium or low (as `scan`).
    #[arg(
        long,
        value_name = "LEVEL",
        default_value = "medium",
        help_heading = "Detection"
    )]
    pub confidence: crate::rules::Confidence,
    /// Policy configuration (keytrace.toml) applied to every repository.
    #[arg(long, value_name = "FILE", help_heading = "Policy")]
    pub config: Option<PathBuf>,
    /// Ignore each repository's own keytrace.toml (by default its allowlist suppresses findings).
    #[arg(long, help_heading = "Policy")]
    pub no_repo_config: bool,
    /// Only findings of this severity or above fail the run; `risk:N` fails on a risk score of N
    /// or more (0–100, see docs/risk.md).
    #[arg(long, value_name = "SEVERITY|risk:N", help_heading = "Policy")]
    pub fail_on: Option<crate::policy::FailOn>,

    #[command(flatten)]
    pub report: ReportArgs,
    /// Also write one SARIF file per repository into DIR.
    #[arg(long, value_name = "DIR", help_heading = "Output")]
    pub sarif_dir: Option<PathBuf>,
    /// Also write one SARIF and one JSON report per owner (team or person) into DIR.
    #[arg(long, value_name = "DIR", help_heading = "Output")]
    pub split_by_owner: Option<PathBuf>,
    /// POST critical and high findings not yet notified to URL (Slack-compatible JSON; a
    /// failed post is retried by the next run).
    #[arg(long, value_name = "URL", help_heading = "Output")]
    pub notify_webhook: Option<String>,
}

/// Report flags shared by `sweep` and `merge`. Sweep reports are always redacted: the state
/// database never holds secrets.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Report format.
    #[arg(
        long,
        short = 'f',
        value_enum,
        default_value = "human",
        help_heading = "Output"
    )]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE", help_heading = "Output")]
    pub output: Option<PathBuf>,
    /// Also write a self-contained HTML report to FILE.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub html: Option<PathBuf>,
    /// Also list suppressed findings (inline ignores, allowlist).
    #[arg(long, help_heading = "Output")]
    pub show_suppressed: bool,
    /// Colour: auto (a TTY without NO_COLOR), always or never.
    #[arg(
        long,
        value_name = "WHEN",
        default_value = "auto",
        help_heading = "Output"
    )]
    pub color: ColorChoice,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard reports: JSON (`--format json`) or SARIF files.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Rule files or directories the shards were swept with: their names and help text go into
    /// a merged SARIF log's rule descriptors.
    #[arg(long, value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
}
