//! Blame for findings in files on disk inside a git work tree: the last commit that touched
//! the line (sha, author, time). Lines not yet committed get no attribution.
//!
//! libgit2's blame walks history until every line asked about is attributed, reading (and by
//! default re-hashing) the trees of each commit on the way, so its cost grows with the file's
//! history and with the lines asked about. Three things keep it cheap (psf/requests, see
//! `bench/blame.sh`): one blame per file, over the span of lines that hold findings rather than
//! the whole file; objects read without re-hashing while blame runs (a corrupt object can cost
//! an attribution, never a finding); and callers blame only findings that will be reported.
//! A file that differs from HEAD is blamed whole and its working copy laid over the result, so
//! that line numbers of the file on disk map to the right committed lines.

use super::history::CommitMeta;
use crate::finding::Finding;
use git2::{BlameOptions, ObjectType, Oid, Repository};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A file with findings to blame: where it is on disk, and the indices of its findings.
#[derive(Debug, Clone, Default)]
pub struct BlameFile {
    pub disk: PathBuf,
    pub findings: Vec<usize>,
}

/// Fill commit/author properties of the listed findings from blame in the repository whose
/// work tree root is `workdir` (canonical). Files outside it, not committed, larger than
/// `max_bytes` or unreadable are left unattributed.
pub fn blame_in_repo(
    workdir: &Path,
    files: &[BlameFile],
    findings: &mut [Finding],
    max_bytes: u64,
) {
    let Ok(repo) = Repository::open(workdir) else {
        return;
    };
    let Some(head) = repo.head().ok().and_then(|h| h.peel_to_tree().ok()) else {
        return;
    };
    let _fast = Unverified::start();
    let mut commits: HashMap<Oid, Option<CommitMeta>> = HashMap::new();
    for file in files {
        let lines = blame_file(&repo, &head, workdir, file, findings, max_bytes);
        for (&i, id) in file.findings.iter().zip(lines) {
            let Some(id) = id else { continue };
            let meta = commits.entry(id).or_insert_with(|| {
                repo.find_commit(id)
                    .ok()
                    .map(|c| CommitMeta::from_commit(&c))
            });
            if let Some(meta) = meta {
                super::provenance::fill_commit(&mut findings[i], meta);
            }
        }
    }
}

/// The commit that last touched each finding's start line (in `file.findings` order), `None`
/// for lines not committed or a file that cannot be blamed.
fn blame_file(
    repo: &Repository,
    head: &git2::Tree<'_>,
    workdir: &Path,
    file: &BlameFile,
    findings: &[Finding],
    max_bytes: u64,
) -> Vec<Option<Oid>> {
    let lines: Vec<usize> = file
        .findings
        .iter()
        .map(|&i| findings[i].location.start_line)
        .collect();
    let none = vec![None; lines.len()];
    let Some((rel, committed)) = committed_blob(head, workdir, &file.disk) else {
        return none;
    };
    let Ok(contents) = crate::source::fs::read_bounded(&file.disk, max_bytes) else {
        return none;
    };
    let clean = Oid::hash_object(ObjectType::Blob, &contents).is_ok_and(|id| id == committed);
    let mut opts = BlameOptions::new();
    if clean {
        let (Some(&lo), Some(&hi)) = (lines.iter().min(), lines.iter().max()) else {
            return none;
        };
        opts.min_line(lo.max(1)).max_line(hi.max(1));
    }
    let Ok(blame) = repo.blame_file(&rel, Some(&mut opts)) else {
        return none;
    };
    if clean {
        return lines.iter().map(|&l| line_commit(&blame, l)).collect();
    }
    match blame.blame_buffer(&contents) {
        Ok(over) => lines.iter().map(|&l| line_commit(&over, l)).collect(),
        Err(_) => none,
    }
}

/// The file's path in the work tree and its blob id at HEAD, when HEAD has it as a file.
fn committed_blob(head: &git2::Tree<'_>, workdir: &Path, disk: &Path) -> Option<(PathBuf, Oid)> {
    let abs = disk.canonicalize().ok()?;
    let rel = abs.strip_prefix(workdir).ok()?.to_path_buf();
    let entry = head.get_path(&rel).ok()?;
    (entry.kind() == Some(ObjectType::Blob)).then(|| (rel, entry.id()))
}

fn line_commit(blame: &git2::Blame<'_>, line: usize) -> Option<Oid> {
    let id = blame.get_line(line)?.final_commit_id();
    (!id.is_zero()).then_some(id)
}

/// While alive, libgit2 reads objects without re-hashing them (about half of blame's time).
/// The option is process-wide: blame runs after the parallel scan, alone, and the default
/// (verify) is restored when this is dropped.
struct Unverified;

impl Unverified {
    fn start() -> Unverified {
        git2::opts::strict_hash_verification(false);
        Unverified
    }
}

impl Drop for Unverified {
    fn drop(&mut self) {
        git2::opts::strict_hash_verification(true);
    }
}
