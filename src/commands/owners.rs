//! Owner resolution for a scan: find CODEOWNERS and the `[owners]` table of `keytrace.toml` at
//! the scanned root and hand them to `attribution::owner`.

use crate::attribution::codeowners::Memo;
use crate::attribution::owner::resolve_one;
use crate::attribution::{Codeowners, OwnersFile};
use crate::coverage::Coverage;
use crate::finding::Finding;
use crate::policy::config::MAX_CONFIG_FILE;
use crate::rules::text::read_text;
use std::path::{Path, PathBuf};

/// The project file read at the scanned root.
pub const PROJECT_FILE: &str = "keytrace.toml";

/// Read only the `[owners]` table of `ROOT/keytrace.toml` (other tables belong to the settings).
/// `None` when there is no file or no table; a malformed table is an error naming file and line.
pub fn load_owners_file(root: &Path) -> anyhow::Result<Option<OwnersFile>> {
    let path = root.join(PROJECT_FILE);
    let text = match read_text(&path, MAX_CONFIG_FILE) {
        Ok(text) => text,
        Err(e) if e.kind == Some(std::io::ErrorKind::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    OwnersFile::from_project_toml(&text).map_err(|e| match e.line {
        Some(line) => anyhow::anyhow!("{}:{line}: [owners]: {}", path.display(), e.message),
        None => anyhow::anyhow!("{}: [owners]: {}", path.display(), e.message),
    })
}

/// Set `owner`, `owner_source` and `codeowners` on every finding of a scan of `targets`.
/// CODEOWNERS and the owners table come from the first target when it is a directory; findings
/// outside that directory get no CODEOWNERS match. Problems in CODEOWNERS become coverage notes.
pub fn attribute_owners(
    targets: &[String],
    findings: &mut [Finding],
    coverage: &Coverage,
) -> anyhow::Result<()> {
    let root = targets.first().map(PathBuf::from).filter(|p| p.is_dir());
    let (codeowners, owners_file) = match &root {
        Some(root) => (Codeowners::find(root), load_owners_file(root)?),
        None => (None, None),
    };
    if let Some((path, c)) = &codeowners {
        codeowners_notes(path, c, coverage);
    }
    let mut memo = Memo::default();
    let codeowners = codeowners.map(|(_, c)| c);
    let prefix = match (&root, targets.len()) {
        (Some(root), n) if n > 1 => Some(root_prefix(root)),
        _ => None,
    };
    for f in findings.iter_mut() {
        let rel = match &prefix {
            None => Some(f.location.path.clone()),
            Some(p) if p.is_empty() => Some(f.location.path.clone()),
            Some(p) => f.location.path.strip_prefix(p.as_str()).map(str::to_string),
        };
        resolve_one(
            f,
            rel.as_deref(),
            codeowners.as_ref(),
            owners_file.as_ref(),
            &mut memo,
        );
    }
    Ok(())
}

/// Coverage notes for a CODEOWNERS file that was ignored or had lines skipped: each kept
/// problem with its line, then how many more there were.
fn codeowners_notes(path: &Path, c: &Codeowners, coverage: &Coverage) {
    if let Some(why) = c.ignored() {
        coverage.note(format!("{}: {why}", path.display()));
    }
    for p in c.problems() {
        coverage.note(format!("{}:{}: {}", path.display(), p.line, p.message));
    }
    let more = c.problem_count() - c.problems().len();
    if more > 0 {
        coverage.note(format!(
            "{}: {more} more CODEOWNERS problems not listed ({} in all)",
            path.display(),
            c.problem_count()
        ));
    }
}

/// Owners of history and range findings: the CODEOWNERS of each introducing commit, else
/// HEAD's; the `[owners]` table from the work tree's keytrace.toml when there is one.
pub fn attribute_history_owners(repo_path: &Path, findings: &mut [Finding]) -> anyhow::Result<()> {
    let Some(repo) = crate::source::git::repo::discover(repo_path) else {
        return Ok(());
    };
    let owners_file = match repo.workdir() {
        Some(workdir) => load_owners_file(workdir)?,
        None => None,
    };
    crate::attribution::at_commit::resolve_history_owners(&repo, findings, owners_file.as_ref());
    Ok(())
}

/// How findings under `root` are prefixed in a multi-root scan (`root/`), or "" for `.`.
fn root_prefix(root: &Path) -> String {
    let s = root.to_string_lossy().replace('\\', "/");
    let s = s.trim_start_matches("./").trim_end_matches('/');
    if s.is_empty() || s == "." {
        String::new()
    } else {
        format!("{s}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_project_file_is_none_and_bad_table_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load_owners_file(dir.path()).unwrap().is_none());
        std::fs::write(
            dir.path().join(PROJECT_FILE),
            "[scan]\nx = 1\n\n[[owners.rule]]\nmatch = { paths = \"a\" }\nowners = [\"@a\"]\n",
        )
        .unwrap();
        let err = format!("{:#}", load_owners_file(dir.path()).unwrap_err());
        assert!(err.contains("keytrace.toml"), "{err}");
        assert!(err.contains("keytrace.toml:5: [owners]"), "{err}");
    }

    #[test]
    fn root_prefixes() {
        assert_eq!(root_prefix(Path::new(".")), "");
        assert_eq!(root_prefix(Path::new("./repo/")), "repo/");
        assert_eq!(root_prefix(Path::new("a/b")), "a/b/");
    }
}
