//! Owner resolution for a scan: find CODEOWNERS and the `[owners]` table of `keytrace.toml` at
//! the root of the work tree holding each target (else at the target directory) and hand them
//! to `attribution::owner`.

use crate::attribution::codeowners::Memo;
use crate::attribution::owner::resolve_one;
use crate::attribution::{Codeowners, OwnersFile};
use crate::coverage::Coverage;
use crate::finding::Finding;
use crate::policy::config::MAX_CONFIG_FILE;
use crate::rules::text::read_text;
use std::collections::HashMap;
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

/// Where the findings of one scanned root take their owners from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnerRoot {
    /// The directory holding CODEOWNERS and `keytrace.toml`: the root of the work tree holding
    /// the target, else the target directory; `None` (no CODEOWNERS, no owners table) for a
    /// file outside a work tree or a non-file source.
    pub dir: Option<PathBuf>,
    /// What a finding path starts with when it lies under `dir` (stripped to get the path
    /// CODEOWNERS matches); "" when finding paths are already relative to `dir`.
    pub prefix: String,
}

impl OwnerRoot {
    /// Findings named from the root `dir` (a work tree root, or a lone target directory).
    pub fn at(dir: PathBuf) -> OwnerRoot {
        OwnerRoot {
            dir: Some(dir),
            prefix: String::new(),
        }
    }

    /// The owners of a scan of `targets` outside any work tree: those of the first target.
    pub fn of_targets(targets: &[String]) -> OwnerRoot {
        match targets.first() {
            Some(first) => OwnerRoot::of_target(Path::new(first), targets.len() > 1),
            None => OwnerRoot::default(),
        }
    }

    /// A target outside any work tree: its own directory, whose findings are named relative to
    /// it, prefixed with it when `several` targets are scanned. A file has no owners directory.
    pub fn of_target(target: &Path, several: bool) -> OwnerRoot {
        if !target.is_dir() {
            return OwnerRoot::default();
        }
        OwnerRoot {
            dir: Some(target.to_path_buf()),
            prefix: if several {
                root_prefix(target)
            } else {
                String::new()
            },
        }
    }

    /// The finding path relative to `dir`, or `None` when the finding lies elsewhere.
    fn relative<'a>(&self, path: &'a str) -> Option<&'a str> {
        path.strip_prefix(self.prefix.as_str())
    }
}

/// CODEOWNERS and owners table of one directory, read once however many roots share it.
struct OwnerSources {
    codeowners: Option<Codeowners>,
    owners_file: Option<OwnersFile>,
    memo: Memo,
}

impl OwnerSources {
    fn load(dir: Option<&Path>, coverage: &Coverage) -> anyhow::Result<OwnerSources> {
        let Some(dir) = dir else {
            return Ok(OwnerSources {
                codeowners: None,
                owners_file: None,
                memo: Memo::default(),
            });
        };
        let codeowners = Codeowners::find(dir);
        if let Some((path, c)) = &codeowners {
            codeowners_notes(path, c, coverage);
        }
        Ok(OwnerSources {
            codeowners: codeowners.map(|(_, c)| c),
            owners_file: load_owners_file(dir)?,
            memo: Memo::default(),
        })
    }
}

/// Set `owner`, `owner_source` and `codeowners` on every finding of a scan of `targets` that
/// no work tree holds (config stores, etcd, standard input). See [`OwnerRoot::of_targets`].
pub fn attribute_owners(
    targets: &[String],
    findings: &mut [Finding],
    coverage: &Coverage,
) -> anyhow::Result<()> {
    attribute_roots(
        &[OwnerRoot::of_targets(targets)],
        |_| Some(0),
        findings,
        coverage,
    )
}

/// Set `owner`, `owner_source` and `codeowners` on every finding; `root_of` says which of
/// `roots` a finding was found under (`None`: no CODEOWNERS, no owners table). Roots sharing a
/// directory share one reading of its files. Problems in CODEOWNERS become coverage notes.
pub fn attribute_roots(
    roots: &[OwnerRoot],
    root_of: impl Fn(&Finding) -> Option<usize>,
    findings: &mut [Finding],
    coverage: &Coverage,
) -> anyhow::Result<()> {
    let mut by_dir: HashMap<Option<PathBuf>, OwnerSources> = HashMap::new();
    for root in roots {
        if !by_dir.contains_key(&root.dir) {
            let sources = OwnerSources::load(root.dir.as_deref(), coverage)?;
            by_dir.insert(root.dir.clone(), sources);
        }
    }
    let mut nowhere = OwnerSources::load(None, coverage)?;
    for f in findings.iter_mut() {
        let root = root_of(f).and_then(|i| roots.get(i));
        let sources = match root {
            Some(r) => by_dir.get_mut(&r.dir).unwrap_or(&mut nowhere),
            None => &mut nowhere,
        };
        let path = f.location.path.clone();
        let rel = root.and_then(|r| r.relative(&path));
        resolve_one(
            f,
            rel,
            sources.codeowners.as_ref(),
            sources.owners_file.as_ref(),
            &mut sources.memo,
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
