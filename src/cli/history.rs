//! Flags of git scanning (`--history`, `--staged`, `--range`, ...).

use clap::Args;

#[derive(Debug, Clone, Default, Args)]
pub struct HistoryArgs {
    /// Scan every blob reachable from every ref (branches, tags, remotes, stash) of each REPO.
    #[arg(long, help_heading = "Git")]
    pub history: bool,
    /// With --history: only these refs (full or short names; repeatable).
    #[arg(
        long = "branch",
        visible_alias = "ref",
        value_name = "REF",
        help_heading = "Git"
    )]
    pub refs: Vec<String>,
    /// Scan what `git commit` is about to record: staged changes, added lines only.
    #[arg(long, help_heading = "Git", conflicts_with_all = ["history", "range", "since_commit"])]
    pub staged: bool,
    /// Scan only what the commits of a range add (e.g. `origin/main..HEAD`).
    #[arg(
        long,
        value_name = "A..B",
        help_heading = "Git",
        conflicts_with = "history"
    )]
    pub range: Option<String>,
    /// With --range in a shallow clone: never fetch missing history (by default keytrace
    /// deepens the clone from its remote until the range's base is reachable, adding objects
    /// to `.git`).
    #[arg(long, help_heading = "Git")]
    pub no_deepen: bool,
    /// Same as --range REV..HEAD.
    #[arg(long, value_name = "REV", help_heading = "Git", conflicts_with_all = ["history", "range"])]
    pub since_commit: Option<String>,
    /// Never show a progress bar.
    #[arg(long, help_heading = "Output")]
    pub no_progress: bool,
}
