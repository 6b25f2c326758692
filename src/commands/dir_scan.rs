//! `keytrace scan PATH...` of files on disk: walk the targets, scan, blame, attribute owners.
//!
//! A target inside a git work tree is named from the work tree's root, whatever the target and
//! the current directory (`keytrace scan api` run in `svc/` reports `svc/api/.env`), and its
//! findings take their owners from that root's CODEOWNERS and `keytrace.toml`: GitHub resolves
//! SARIF locations and CODEOWNERS patterns against the root. Targets outside a work tree keep
//! paths relative to themselves.

use super::owners::OwnerRoot;
use super::scan::Collected;
use crate::cli::ScanArgs;
use crate::coverage::Coverage;
use crate::finding::Finding;
use crate::matcher::RuleSet;
use crate::pipeline::{self, Limits};
use crate::source::fs::{FileEntry, WalkRoot, list_roots};
use crate::source::git::blame::{BlameFile, blame_in_repo};
use crate::source::git::worktree;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// One target: how its files are walked and named, and the work tree holding it.
struct Target {
    walk: WalkRoot,
    workdir: Option<PathBuf>,
}

impl Target {
    fn resolve(target: &str) -> Target {
        let path = PathBuf::from(target);
        let at = worktree::locate(&path);
        Target {
            walk: WalkRoot {
                path,
                in_repo: at.as_ref().map(|a| a.rel.clone()),
            },
            workdir: at.map(|a| a.workdir),
        }
    }

    /// Where this target's findings take their owners from.
    fn owner_root(&self, several: bool) -> OwnerRoot {
        match &self.workdir {
            Some(workdir) => OwnerRoot::at(workdir.clone()),
            None => OwnerRoot::of_target(&self.walk.path, several),
        }
    }
}

/// Scan files on disk under `targets`.
pub fn scan_files(
    args: &ScanArgs,
    targets: &[String],
    set: &RuleSet,
    coverage: &Coverage,
) -> anyhow::Result<Collected> {
    let resolved: Vec<Target> = targets.iter().map(|t| Target::resolve(t)).collect();
    let roots: Vec<WalkRoot> = resolved.iter().map(|t| t.walk.clone()).collect();
    let files = list_roots(&roots, args.respect_gitignore, args.threads, coverage)?;
    let limits = Limits {
        max_file_size: args.max_file_size,
    };
    let mut findings = pipeline::with_threads(args.threads, || {
        pipeline::scan_files(
            &files,
            set,
            limits,
            coverage,
            &crate::source::config_stores::structured_scan,
        )
    });
    super::scan::refuse_unread(targets, files.len(), coverage)?;
    let by_name = index_by_name(&files);
    if !args.no_blame {
        blame(&resolved, &by_name, args, &mut findings);
    }
    let several = resolved.len() > 1;
    let owner_roots: Vec<OwnerRoot> = resolved.iter().map(|t| t.owner_root(several)).collect();
    let root_of = |f: &Finding| by_name.get(f.location.path.as_str()).map(|e| e.root);
    super::owners::attribute_roots(&owner_roots, root_of, &mut findings, coverage)?;
    let repository =
        crate::source::git::repo::discover(&roots[0].path).map(|r| super::git_scan::repo_info(&r));
    Ok(Collected {
        kind: "directory",
        findings,
        repository,
    })
}

/// The first listed file of each report name.
fn index_by_name(files: &[FileEntry]) -> HashMap<&str, &FileEntry> {
    let mut by_name = HashMap::with_capacity(files.len());
    for f in files {
        by_name.entry(f.display.as_str()).or_insert(f);
    }
    by_name
}

/// Blame the findings that will be reported (at or above `--confidence`), one blame per file,
/// grouped by work tree.
fn blame(
    targets: &[Target],
    by_name: &HashMap<&str, &FileEntry>,
    args: &ScanArgs,
    findings: &mut [Finding],
) {
    let mut by_repo: BTreeMap<&Path, BTreeMap<&Path, BlameFile>> = BTreeMap::new();
    for (i, f) in findings.iter().enumerate() {
        if f.confidence < args.confidence {
            continue;
        }
        let Some(entry) = by_name.get(f.location.path.as_str()) else {
            continue;
        };
        let Some(workdir) = targets.get(entry.root).and_then(|t| t.workdir.as_deref()) else {
            continue;
        };
        let file = by_repo
            .entry(workdir)
            .or_default()
            .entry(entry.path.as_path())
            .or_insert_with(|| BlameFile {
                disk: entry.path.clone(),
                findings: Vec::new(),
            });
        file.findings.push(i);
    }
    for (workdir, files) in by_repo {
        let files: Vec<BlameFile> = files.into_values().collect();
        blame_in_repo(workdir, &files, findings, args.max_file_size);
    }
}
