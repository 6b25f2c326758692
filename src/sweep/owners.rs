//! Owners of a swept repository's findings, resolved as `scan --history` resolves them: the
//! CODEOWNERS of each finding's introducing commit, else HEAD's
//! ([`crate::attribution::at_commit`]); then the `[owners]` table of the repository's own
//! `keytrace.toml`, read from HEAD's tree like the rest of that file (a mirror has no work
//! tree); then the introducing commit's author.
//!
//! Owners are resolved on every run, after the state is written, from the repository as it is
//! now: they are never read back from the state, so a repository that did not change since the
//! last run is reported with owners too.

use super::repo_config::RepoConfig;
use crate::attribution::{OwnersFile, at_commit, resolve_owners};
use crate::finding::Finding;
use std::path::Path;

/// Set `owner`, `owner_source` and `codeowners` on every finding of the repository read at
/// `git_dir` (`None` when it could not be prepared: only the authors answer then). `config` is
/// the repository's own keytrace.toml (`Absent` when it is ignored). Returns a one-line problem
/// when its `[owners]` table cannot be used; the other sources still answer.
pub fn resolve(
    git_dir: Option<&Path>,
    config: &RepoConfig,
    findings: &mut [Finding],
) -> Option<String> {
    let (owners_file, problem) = match owners_table(config) {
        Ok(table) => (table, None),
        Err(message) => (None, Some(message)),
    };
    match git_dir.and_then(|dir| crate::source::git::repo::open(dir).ok()) {
        Some(repo) => {
            at_commit::resolve_history_owners(&repo, findings, owners_file.as_ref());
            apply_mailmap(&repo, findings);
        }
        None => resolve_owners(findings, None, owners_file.as_ref()),
    }
    problem
}

/// People merged through the repository's `.mailmap`: an owner that is the introducing
/// author's e-mail becomes the canonical e-mail the mailmap gives that author, so one person who
/// committed under several addresses is one owner. No mailmap, or no entry: unchanged.
fn apply_mailmap(repo: &git2::Repository, findings: &mut [Finding]) {
    let Ok(map) = repo.mailmap() else { return };
    for f in findings {
        if f.props.owner_source.as_deref() != Some(crate::attribution::owner::SOURCE_GIT_AUTHOR) {
            continue;
        }
        let Some(email) = f.props.owner.clone() else {
            continue;
        };
        let name = f
            .props
            .author_name
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| email.clone());
        let Ok(sig) = git2::Signature::new(&name, &email, &git2::Time::new(0, 0)) else {
            continue;
        };
        if let Some(mapped) = map
            .resolve_signature(&sig)
            .ok()
            .map(|m| String::from_utf8_lossy(m.email_bytes()).into_owned())
            .filter(|e| !e.is_empty())
        {
            f.props.owner = Some(mapped);
        }
    }
}

/// The `[owners]` table of the repository's keytrace.toml, if it has one.
fn owners_table(config: &RepoConfig) -> Result<Option<OwnersFile>, String> {
    let RepoConfig::Found(config) = config else {
        return Ok(None);
    };
    let Some(table) = &config.owners else {
        return Ok(None);
    };
    let file = config.source.as_deref().unwrap_or("keytrace.toml");
    toml::Value::Table(table.clone())
        .try_into::<OwnersFile>()
        .map(Some)
        .map_err(|e| {
            format!(
                "{file}: [owners]: {}",
                crate::rules::text::one_line(&e.to_string())
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribution::owner::{SOURCE_GIT_AUTHOR, SOURCE_OWNERS_FILE};

    fn config(text: &str) -> RepoConfig {
        RepoConfig::Found(Box::new(
            crate::policy::config::parse("r:keytrace.toml", text).unwrap(),
        ))
    }

    fn finding() -> Finding {
        let mut f =
            crate::verify::testutil::finding("aws", "infra/a.tf", 3, "AKIAEXAMPLEKEY000000");
        f.props.author_email = Some("dev@example.com".into());
        f
    }

    #[test]
    fn the_owners_table_answers_before_the_author() {
        let c =
            config("[[owners.rule]]\nmatch = { path = \"infra/**\" }\nowners = [\"@org/infra\"]\n");
        let mut findings = vec![finding()];
        assert_eq!(resolve(None, &c, &mut findings), None);
        assert_eq!(findings[0].props.owner.as_deref(), Some("@org/infra"));
        assert_eq!(
            findings[0].props.owner_source.as_deref(),
            Some(SOURCE_OWNERS_FILE)
        );
        let mut findings = vec![finding()];
        assert_eq!(resolve(None, &RepoConfig::Absent, &mut findings), None);
        assert_eq!(
            findings[0].props.owner_source.as_deref(),
            Some(SOURCE_GIT_AUTHOR)
        );
    }

    #[test]
    fn a_bad_owners_table_is_reported_and_the_author_answers() {
        let c = config("[[owners.rule]]\nmatch = { path = \"infra/**\" }\nowners = []\n");
        let mut findings = vec![finding()];
        let problem = resolve(None, &c, &mut findings).unwrap();
        assert!(
            problem.starts_with("r:keytrace.toml: [owners]"),
            "{problem}"
        );
        assert_eq!(findings[0].props.owner.as_deref(), Some("dev@example.com"));
    }
}
