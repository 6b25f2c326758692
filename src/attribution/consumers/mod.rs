//! Consumers: which workloads of the same repository read the name a key is assigned to.
//!
//! A finding whose secret is assigned to a name (`OPENAI_API_KEY=…` in `.env`, a CI variable, a
//! config key) carries that name in `props.key_name` ([`name::assigned_name`]). After the scan,
//! [`attach`] builds one [`index::ConsumerIndex`] per scan root — one walk, each candidate file
//! read once, an aho-corasick prefilter over only the names the findings carry — and writes the
//! places that consume each name into `props.consumers`: compose services, Kubernetes
//! containers, GitHub Actions and GitLab CI jobs, Dockerfiles, MCP servers, Terraform variables
//! and code reading the environment. One module per family of consumers; all offline.

mod ci;
mod code;
mod compose;
mod dockerfile;
pub mod index;
mod kubernetes;
mod lines;
mod mcp;
pub mod name;
mod terraform;

use crate::finding::Finding;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// At most this many consumers are listed per finding (the count in `consumers_total` is exact).
pub const MAX_CONSUMERS: usize = 50;

/// One place that consumes a key's name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Consumer {
    /// The consuming file, relative to the scan root (as finding paths are).
    pub path: String,
    /// 1-based line of the consuming reference (the best line known for structured files).
    pub line: usize,
    /// What kind of reference: `compose-environment`, `kubernetes-env`, `github-actions-secret`,
    /// `dockerfile-arg`, `mcp-server-env`, `terraform-variable`, `code-python`, … (docs/consumers.md).
    pub kind: String,
    /// The name consumed.
    pub name: String,
    /// The workload that consumes it, where the file names one: compose service, Kubernetes
    /// `Kind/name` (container), workflow job, GitLab job, MCP server, Terraform variable block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload: Option<String>,
}

/// Attach consumers to every finding that carries a `key_name`, looking in `roots` (the
/// directories finding paths are relative to). Findings without a name get one from their own
/// line when their file is on disk under a root.
pub fn attach(roots: &[PathBuf], findings: &mut [Finding]) {
    for f in findings.iter_mut().filter(|f| f.props.key_name.is_none()) {
        if let Some(root) = root_holding(roots, &f.location.path) {
            f.props.key_name = name::name_from_file(&root.join(&f.location.path), &f.location);
        }
    }
    let names: BTreeSet<String> = findings
        .iter()
        .filter_map(|f| f.props.key_name.clone())
        .collect();
    if names.is_empty() {
        return;
    }
    let mut seen_roots = BTreeSet::new();
    for root in roots.iter().filter(|r| seen_roots.insert(r.to_path_buf())) {
        let index = index::ConsumerIndex::build(root, &names);
        for f in findings.iter_mut() {
            let Some(key) = f.props.key_name.clone() else {
                continue;
            };
            // A finding is matched against the root its own file is under; a finding whose file
            // is not on disk (history) is matched against the first root.
            let home = root_holding(roots, &f.location.path).unwrap_or(roots[0].as_path());
            if home != root.as_path() {
                continue;
            }
            let mut found = index.consumers_of(&key, &f.location.path);
            found.sort();
            found.dedup();
            f.props.consumers_total = found.len();
            found.truncate(MAX_CONSUMERS);
            f.props.consumers = found;
        }
    }
}

/// The first root under which `rel` exists as a file.
fn root_holding<'a>(roots: &'a [PathBuf], rel: &str) -> Option<&'a Path> {
    roots
        .iter()
        .map(PathBuf::as_path)
        .find(|r| r.join(rel).is_file())
}
