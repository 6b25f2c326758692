//! Clear-text secrets for an allowlist that needs them.
//!
//! An allowlist's `secrets` regexes and `stopwords` (global or per rule) look at the secret
//! itself, and the state never holds one: findings a sweep answers from its state used to pass
//! such entries untouched, where a scan of the same repository suppresses them. When the sweep's
//! policy or a repository's own keytrace.toml has such entries, the blobs holding findings are
//! matched again, each under the path the state recorded for it (so they yield what they
//! yielded then), to learn their secrets. The secrets stay in memory until the policy has run
//! and are dropped before anything is stored or reported.

use super::repo_config::RepoConfig;
use crate::coverage::Coverage;
use crate::finding::Finding;
use crate::matcher::RuleSet;
use crate::pipeline::{Limits, scan_git_blobs_at};
use crate::policy::allowlist::AllowlistConfig;
use git2::Oid;
use std::collections::HashMap;
use std::path::Path;

/// Clear-text secrets by (rule id, `secret_sha256`).
pub type Secrets = HashMap<(String, String), String>;

/// Whether `allowlist` has an entry that looks at the secret's text.
pub fn needed_by(allowlist: &AllowlistConfig) -> bool {
    !allowlist.secrets.is_empty()
        || !allowlist.stopwords.is_empty()
        || allowlist
            .per_rule
            .iter()
            .any(|r| !r.secrets.is_empty() || !r.stopwords.is_empty())
}

/// Whether the repository's own keytrace.toml needs secrets.
pub fn needed_by_repo(config: &RepoConfig) -> bool {
    matches!(config, RepoConfig::Found(c) if needed_by(&c.allowlist))
}

/// Remember the secrets of freshly matched findings.
pub fn learn(found: &[(Oid, Vec<Finding>)], into: &mut Secrets) {
    for f in found.iter().flat_map(|(_, f)| f) {
        if let Some(secret) = &f.secret {
            let key = (f.rule_id.clone(), f.props.secret_sha256.clone());
            into.entry(key).or_insert_with(|| secret.clone());
        }
    }
}

/// Match `blobs` again, each under its recorded path, and remember their secrets. What cannot
/// be read now is left out: its findings then meet the allowlist without a secret, as before.
pub fn recover(
    git_dir: &Path,
    blobs: &HashMap<Oid, String>,
    set: &RuleSet,
    limits: Limits,
    into: &mut Secrets,
) {
    let ids: Vec<Oid> = blobs.keys().copied().collect();
    let path_of = |oid: Oid| blobs.get(&oid).cloned().unwrap_or_default();
    let bar = indicatif::ProgressBar::hidden();
    let coverage = Coverage::default();
    let found = scan_git_blobs_at(git_dir, &ids, &path_of, set, limits, &coverage, &bar);
    learn(&found, into);
}

/// Give each finding its secret when it is known.
pub fn attach(secrets: &Secrets, findings: &mut [Finding]) {
    for f in findings {
        let key = (f.rule_id.clone(), f.props.secret_sha256.clone());
        if let Some(secret) = secrets.get(&key) {
            f.secret = Some(secret.clone());
        }
    }
}

/// Drop every clear-text secret.
pub fn forget(findings: &mut [Finding]) {
    for f in findings {
        f.secret = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowlist(text: &str) -> AllowlistConfig {
        crate::policy::config::parse("k.toml", text)
            .unwrap()
            .allowlist
    }

    #[test]
    fn only_secret_and_stopword_entries_need_secrets() {
        assert!(!needed_by(&allowlist("[allowlist]\npaths = [\"a/**\"]\n")));
        assert!(!needed_by(&allowlist("[allowlist]\nrules = [\"x\"]\n")));
        assert!(needed_by(&allowlist(
            "[allowlist]\nstopwords = [\"demo\"]\n"
        )));
        assert!(needed_by(&allowlist("[allowlist]\nsecrets = [\"^x\"]\n")));
        assert!(needed_by(&allowlist(
            "[[allowlist.rule]]\nid = \"generic-*\"\nstopwords = [\"demo\"]\n"
        )));
    }

    #[test]
    fn secrets_are_attached_by_rule_and_digest_and_forgotten() {
        let mut f = crate::verify::testutil::finding("acme", "a.env", 1, "acme_secret_value");
        let mut known = Secrets::new();
        learn(&[(Oid::ZERO_SHA1, vec![f.clone()])], &mut known);
        f.secret = None;
        let mut other = f.clone();
        other.rule_id = "other".into();
        let mut list = vec![f, other];
        attach(&known, &mut list);
        assert_eq!(list[0].secret.as_deref(), Some("acme_secret_value"));
        assert_eq!(list[1].secret, None);
        forget(&mut list);
        assert_eq!(list[0].secret, None);
    }
}
