//! Org-wide sweeps: many repositories, incremental across runs, shardable across machines.
//!
//! Flow: `target` enumerates repositories (a directory of clones, a list file, a GitHub
//! organisation via `github`, a GitLab group via `gitlab`; both through `api`), `shard` keeps this machine's share, `mirror` clones or updates
//! remote ones into a cache, `scan` matches only the blobs the `state` database has not yet
//! matched under the current ruleset, and `state` records per repository, in one transaction,
//! what was matched and every finding's first/last sighting and status. `runner` owns the
//! repository-level concurrency (bounded clones and bounded concurrent scans: blob-level
//! parallelism stays in `pipeline`), `repo_config` reads each repository's own `keytrace.toml`
//! allowlist, `owners` resolves owners as `scan --history` does, and `summary` is the `sweep`
//! section of the report. Container images of `--image-list` are swept next to repositories
//! (`image`: a layer already matched under the ruleset is not read again). Matching and the confidence threshold are shared with `scan` through
//! `crate::detection`.

pub mod api;
pub mod github;
pub mod gitlab;
pub mod image;
pub mod mirror;
pub mod notify;
pub mod owners;
pub mod progress;
pub mod repo_config;
pub mod routing;
pub mod runner;
pub mod scan;
pub mod secrets;
pub mod shard;
pub mod state;
pub mod status;
pub mod summary;
pub mod target;

pub use shard::Shard;
pub use state::State;
pub use status::FindingStatus;
pub use summary::{RepoOutcome, RepoSummary, SweepSection};
pub use target::{HttpAuth, RepoSource, RepoTarget};

/// What can go wrong in a sweep. Errors of one repository are recorded and the sweep goes on;
/// these reach the user only when the sweep itself cannot run.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error("{file}:{line}: {message}")]
    RepoList {
        file: String,
        line: usize,
        message: String,
    },
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error("bad --shard `{0}`: expected K/N with 0 <= K < N (e.g. 0/4)")]
    Shard(String),
    #[error(transparent)]
    Api(#[from] api::ApiError),
    #[error(transparent)]
    State(#[from] state::StateError),
    #[error(transparent)]
    Mirror(#[from] mirror::MirrorError),
    #[error("{identity}: {message}")]
    Repo { identity: String, message: String },
}
