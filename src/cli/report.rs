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
    /// Render a saved report (JSON or SARIF) as a Markdown summary: findings by severity and by
    /// owner, the most severe with links to the file at the commit, and what to do next.
    Summary(SummaryArgs),
}

/// Flags of `keytrace report summary`.
#[derive(Debug, clap::Args)]
pub struct SummaryArgs {
    /// A report written with `keytrace scan --format json` or `--format sarif`.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The repository's web address for file links (e.g. `https://github.com/OWNER/REPO`;
    /// in GitHub Actions, `$GITHUB_SERVER_URL/$GITHUB_REPOSITORY`).
    #[arg(long, value_name = "URL")]
    pub repo_url: Option<String>,
    /// The commit that files on disk are linked at (in GitHub Actions, `$GITHUB_SHA`); history
    /// findings link to their introducing commit.
    #[arg(long, value_name = "SHA")]
    pub sha: Option<String>,
    /// How many findings to list one by one (most severe first).
    #[arg(long, value_name = "N", default_value_t = crate::report::markdown::DEFAULT_TOP)]
    pub top: usize,
    /// Append the summary to FILE (e.g. `$GITHUB_STEP_SUMMARY`) instead of printing it.
    #[arg(long, value_name = "FILE")]
    pub append_to: Option<PathBuf>,
}
