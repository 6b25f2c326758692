//! The `sweep` section of a report: the run, and per repository what happened to it. Shard
//! reports carry one each; `keytrace merge` concatenates them.

use serde::{Deserialize, Serialize};

/// What happened to one repository in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RepoOutcome {
    /// History walked; new blobs (if any) matched.
    Scanned,
    /// Refs and ruleset unchanged since the last run: nothing read.
    Unchanged,
    /// Clone, fetch or scan failed; the error is recorded and earlier results kept.
    Failed,
    /// Not started because the sweep was interrupted.
    Skipped,
}

/// One repository's line in the sweep section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepoSummary {
    pub identity: String,
    pub location: String,
    pub outcome: RepoOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Why the repository's own keytrace.toml was not used (the sweep's policy still applied).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// Blobs matched in this run (0 when nothing changed).
    #[serde(default)]
    pub blobs_matched: u64,
    /// Container images: layers read in this run, and layers answered from the state (the
    /// same layer digest already matched under the same ruleset, in this or another image).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layers_read: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layers_reused: Option<u64>,
    /// Findings of this repository in the report, and how many of them are new.
    #[serde(default)]
    pub findings: usize,
    #[serde(default)]
    pub new_findings: usize,
}

/// Run-level totals, recomputed from the repositories (also after a merge).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SweepTotals {
    pub repositories: usize,
    pub scanned: usize,
    pub unchanged: usize,
    pub failed: usize,
    pub skipped: usize,
    pub blobs_matched: u64,
    pub findings: usize,
    pub new_findings: usize,
}

/// The `sweep` section.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SweepSection {
    /// Run id in the state database (absent in merged reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<i64>,
    pub started_at: String,
    #[serde(default)]
    pub finished_at: String,
    /// `K/N` shards this report covers (several after a merge).
    #[serde(default)]
    pub shards: Vec<String>,
    #[serde(default)]
    pub interrupted: bool,
    pub totals: SweepTotals,
    pub repositories: Vec<RepoSummary>,
}

impl SweepSection {
    /// Recompute `totals` from `repositories`.
    pub fn recount(&mut self) {
        let count = |o: RepoOutcome| self.repositories.iter().filter(|r| r.outcome == o).count();
        self.totals = SweepTotals {
            repositories: self.repositories.len(),
            scanned: count(RepoOutcome::Scanned),
            unchanged: count(RepoOutcome::Unchanged),
            failed: count(RepoOutcome::Failed),
            skipped: count(RepoOutcome::Skipped),
            blobs_matched: self.repositories.iter().map(|r| r.blobs_matched).sum(),
            findings: self.repositories.iter().map(|r| r.findings).sum(),
            new_findings: self.repositories.iter().map(|r| r.new_findings).sum(),
        };
    }

    /// Whether any repository failed or was skipped: the run is incomplete (exit status 2).
    pub fn incomplete(&self) -> bool {
        self.interrupted
            || self
                .repositories
                .iter()
                .any(|r| matches!(r.outcome, RepoOutcome::Failed | RepoOutcome::Skipped))
    }

    /// Fold another shard's section into this one: repositories by identity (the section
    /// folded in last wins a repeat), earliest start, latest finish, all shards.
    pub fn absorb(&mut self, other: SweepSection) {
        if self.started_at.is_empty()
            || (!other.started_at.is_empty() && other.started_at < self.started_at)
        {
            self.started_at = other.started_at.clone();
        }
        if other.finished_at > self.finished_at {
            self.finished_at = other.finished_at.clone();
        }
        self.run_id = None;
        self.interrupted |= other.interrupted;
        self.shards.extend(other.shards);
        self.shards.sort();
        self.shards.dedup();
        for r in other.repositories {
            match self
                .repositories
                .iter_mut()
                .find(|x| x.identity == r.identity)
            {
                Some(existing) => *existing = r,
                None => self.repositories.push(r),
            }
        }
        self.repositories
            .sort_by(|a, b| a.identity.cmp(&b.identity));
        self.recount();
    }
}
