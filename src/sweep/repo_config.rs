//! A repository's own `keytrace.toml` in a sweep.
//!
//! Teams keep their accepted false positives in the `[allowlist]` of their repository's
//! `keytrace.toml`. A sweep reads that file from the commit HEAD points at (mirrors are bare, so
//! there is no work tree to read it from) and applies its allowlist on top of the sweep's own
//! policy. Nothing is dropped: the findings it matches are reported as suppressed, with a reason
//! that names the repository's file, so a central team still sees them. Its `[owners]` table names
//! owners as in a scan (see `super::owners`); its `[[policy]]` rules are not used: one policy
//! (`--config`) governs a sweep.

use crate::finding::Finding;
use crate::policy::allowlist::Allowlist;
use crate::policy::config::{self, CONFIG_FILE, Config};
use git2::{ObjectType, Repository};

/// What a repository says about itself.
#[derive(Debug, Default)]
pub enum RepoConfig {
    /// No `keytrace.toml` at the root of HEAD's tree (or no HEAD).
    #[default]
    Absent,
    Found(Box<Config>),
    /// The file exists but cannot be used: the message names the file and line.
    Invalid(String),
}

/// Read `keytrace.toml` from the root of the tree of HEAD's commit. `identity` names the
/// repository in error messages.
pub fn read(repo: &Repository, identity: &str) -> RepoConfig {
    let Some(tree) = repo.head().ok().and_then(|h| h.peel_to_tree().ok()) else {
        return RepoConfig::Absent;
    };
    let Some(entry) = tree.get_name(CONFIG_FILE) else {
        return RepoConfig::Absent;
    };
    let file = format!("{identity}:{CONFIG_FILE}");
    if entry.kind() != Some(ObjectType::Blob) {
        return RepoConfig::Invalid(format!("{file}: not a file"));
    }
    let blob = match repo.find_blob(entry.id()) {
        Ok(blob) => blob,
        Err(e) => return RepoConfig::Invalid(format!("{file}: cannot read: {}", e.message())),
    };
    let Ok(text) = std::str::from_utf8(blob.content()) else {
        return RepoConfig::Invalid(format!("{file}: not UTF-8"));
    };
    match config::parse(&file, text) {
        Ok(c) => RepoConfig::Found(Box::new(c)),
        Err(e) => RepoConfig::Invalid(e.to_string()),
    }
}

/// Suppress the findings that the repository's allowlist matches. Findings in a sweep carry
/// fingerprints scoped to the repository; the file lists them as a scan of that repository
/// prints them (unscoped): the allowlist checks both (`Finding::fingerprint_forms`).
pub fn apply(config: &Config, findings: &mut [Finding]) -> Result<(), String> {
    let allowlist: Allowlist = config.allowlist.compile()?;
    for f in findings
        .iter_mut()
        .filter(|f| f.props.suppressed_by.is_none())
    {
        if let Some(reason) = allowlist.reason(f) {
            f.props.suppressed_by = Some(format!("repository {CONFIG_FILE}: {reason}"));
        }
    }
    Ok(())
}
