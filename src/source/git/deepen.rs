//! Ranges in shallow clones: fetch just enough history for `--range A..B` to mean something.
//!
//! CI checkouts are shallow (`actions/checkout` fetches one commit by default), so the base of
//! a pull request or the `before` of a push is often not in the clone, and even when both ends
//! are, the commit where they meet may not be. A range scan then either cannot resolve its
//! base or, worse, walks every commit down to the shallow boundary and reports secrets the
//! change never added. So before a range scan, when the clone is shallow and the range is not
//! complete (an end is missing, or the two ends have no common ancestor in the clone), the
//! history is deepened with the `git` executable (libgit2 cannot deepen a clone): `git fetch
//! --deepen=N` from the remote, in a few growing rounds, until both ends resolve and meet. This
//! adds objects to the clone's `.git` (that is what a CI user wants; `--no-deepen` turns it
//! off). When it cannot be done (no remote, no `git`, offline, the bound reached), the error is
//! one line that names the fix: fetch the history (`fetch-depth: 0`).
//!
//! A complete clone is never fetched into: a missing revision there is reported as such.

use super::repo::shown;
use super::text::escape_control;
use crate::coverage::Coverage;
use git2::{ErrorCode, Oid, Repository};
use std::path::Path;
use std::process::{Command, Stdio};

/// Commits fetched by each successive deepening round (relative to the boundary before it), so
/// a clone is deepened by at most their sum (5456 commits) before keytrace gives up.
pub const DEEPEN_ROUNDS: [u32; 5] = [16, 64, 256, 1024, 4096];

/// The fix named by every error: where a user can get the history from.
pub const FIX: &str =
    "fetch the history: actions/checkout with fetch-depth: 0, or git fetch --unshallow";

/// Why a range could not be made complete.
#[derive(Debug, thiserror::Error)]
pub enum DeepenError {
    /// A shallow clone lacks a revision (or the two ends' meeting point) and could not be
    /// deepened.
    #[error("{path}: cannot resolve {what} in a shallow clone ({why}); {FIX}")]
    Shallow {
        path: String,
        what: String,
        why: String,
    },
    /// A complete clone lacks a revision: nothing to fetch, the name is wrong or not fetched.
    #[error(
        "{path}: bad range `{range}`: `{rev}` is not a commit, branch or tag of this repository"
    )]
    Unknown {
        path: String,
        range: String,
        rev: String,
    },
}

/// What was fetched to complete a range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deepened {
    /// The remote fetched from.
    pub remote: String,
    /// Commits asked for beyond the earlier boundary, over all rounds.
    pub commits: u32,
}

/// How complete a range is in the clone as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum RangeState {
    /// Both ends resolve and meet (or the range is not for us to judge: let the range parser
    /// report syntax errors).
    Ready,
    /// This end does not resolve.
    Missing(String),
    /// Both ends resolve but have no common ancestor in the clone.
    Apart,
}

/// Open the repository at `path` for a scan of `range`, deepening a shallow clone first when
/// the range is incomplete and `deepen` allows it. Notes what was fetched in `coverage` and on
/// standard error (the clone's `.git` changed).
pub fn open_for_range(
    path: &Path,
    range: &str,
    deepen: bool,
    coverage: &Coverage,
) -> anyhow::Result<Repository> {
    let repo = super::worktree::open_containing(path)?;
    let (repo, fetched) = complete_range(repo, path, range, deepen)?;
    if let Some(d) = fetched {
        let line = format!(
            "{}: shallow clone: fetched up to {} more commit(s) of history from `{}` to resolve the range",
            shown(path),
            d.commits,
            escape_control(&d.remote)
        );
        eprintln!("keytrace: {line}");
        coverage.note(line);
    }
    Ok(repo)
}

/// Make `range` complete in `repo`: returns the repository (reopened after any fetch, so that
/// libgit2 sees the new objects and boundary) and what was fetched, if anything.
pub fn complete_range(
    repo: Repository,
    path: &Path,
    range: &str,
    deepen: bool,
) -> Result<(Repository, Option<Deepened>), DeepenError> {
    let state = range_state(&repo, range);
    if state == RangeState::Ready {
        return Ok((repo, None));
    }
    let what = describe(&state, range);
    if !repo.is_shallow() {
        return match state {
            RangeState::Missing(rev) => Err(DeepenError::Unknown {
                path: shown(path),
                range: escape_control(range),
                rev: escape_control(&rev),
            }),
            // Unrelated histories in a complete clone: the range is what it is.
            _ => Ok((repo, None)),
        };
    }
    let shallow = |why: &str| DeepenError::Shallow {
        path: shown(path),
        what: what.clone(),
        why: why.to_string(),
    };
    if let RangeState::Missing(rev) = &state
        && !could_appear(&repo, rev)
    {
        return Err(shallow(
            "it names no ref here, and deepening cannot add one",
        ));
    }
    if !deepen {
        return Err(shallow("--no-deepen was given"));
    }
    let Some(remote) = pick_remote(&repo) else {
        return Err(shallow("the clone has no remote to fetch from"));
    };
    deepen_rounds(repo, path, range, remote)
}

/// Deepen from `remote` round by round until `range` is complete, or fail naming what is still
/// missing.
fn deepen_rounds(
    mut repo: Repository,
    path: &Path,
    range: &str,
    remote: String,
) -> Result<(Repository, Option<Deepened>), DeepenError> {
    let git_dir = repo.path().to_path_buf();
    let fail = |state: &RangeState, why: String| DeepenError::Shallow {
        path: shown(path),
        what: describe(state, range),
        why: escape_control(&why),
    };
    let mut state = range_state(&repo, range);
    let mut commits = 0u32;
    for n in DEEPEN_ROUNDS {
        let (mut tips, wanted) = fetch_tips(&repo, range);
        // A missing end given as a full commit id is asked for by id (a pull request's head
        // that the checkout did not fetch); if the remote refuses it, deepen without it.
        let with_wanted: Vec<String> = tips.iter().chain(&wanted).cloned().collect();
        if wanted.is_empty() || fetch_deeper(&git_dir, &remote, n, &with_wanted).is_err() {
            if tips.is_empty() {
                tips = with_wanted;
            }
            fetch_deeper(&git_dir, &remote, n, &tips).map_err(|e| fail(&state, e))?;
        }
        commits += n;
        repo =
            Repository::open(&git_dir).map_err(|e| fail(&state, super::text::git_message(&e)))?;
        state = range_state(&repo, range);
        if state == RangeState::Ready {
            let fetched = Deepened { remote, commits };
            return Ok((repo, Some(fetched)));
        }
        if !repo.is_shallow() {
            break;
        }
    }
    let why = format!("still missing after fetching {commits} more commit(s) from `{remote}`");
    Err(fail(&state, why))
}

/// The message's subject: the missing revision, or the two ends that do not meet.
fn describe(state: &RangeState, range: &str) -> String {
    match state {
        RangeState::Missing(rev) => format!("`{}`", escape_control(rev)),
        _ => format!(
            "where the ends of `{}` meet (their merge base)",
            escape_control(range)
        ),
    }
}

/// The two ends of `A..B` as written (an empty end means `HEAD`), or `None` for anything
/// that is not a plain two-dot range (the range parser reports those).
fn ends(range: &str) -> Option<(&str, &str)> {
    if range.chars().any(char::is_control) || range.contains("...") {
        return None;
    }
    let (a, b) = range.split_once("..")?;
    // The split is at the first `..`: a second one makes it no plain range.
    if b.contains("..") {
        return None;
    }
    Some((or_head(a), or_head(b)))
}

fn or_head(end: &str) -> &str {
    if end.is_empty() { "HEAD" } else { end }
}

fn resolve(repo: &Repository, rev: &str) -> Result<Option<Oid>, ()> {
    match repo.revparse_single(rev) {
        Ok(o) => Ok(Some(o.peel_to_commit().map(|c| c.id()).unwrap_or(o.id()))),
        Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
        // Ambiguous, invalid syntax, unreadable...: the range parser says what.
        Err(_) => Err(()),
    }
}

fn range_state(repo: &Repository, range: &str) -> RangeState {
    let Some((a, b)) = ends(range) else {
        return RangeState::Ready;
    };
    let (from, to) = match (resolve(repo, a), resolve(repo, b)) {
        (Ok(Some(from)), Ok(Some(to))) => (from, to),
        (Ok(None), _) => return RangeState::Missing(a.to_string()),
        (_, Ok(None)) => return RangeState::Missing(b.to_string()),
        _ => return RangeState::Ready,
    };
    if from == to {
        return RangeState::Ready;
    }
    match repo.merge_base(from, to) {
        Ok(_) => RangeState::Ready,
        Err(_) => RangeState::Apart,
    }
}

/// Whether fetching more history could make `rev` resolve: it is an object id, or a name
/// (ref, `HEAD`) that resolves here followed by an ancestry suffix (`HEAD~3`, `main^2`).
fn could_appear(repo: &Repository, rev: &str) -> bool {
    let base = rev.split(['~', '^', '@', ':']).next().unwrap_or("");
    if base.is_empty() {
        return rev.starts_with('@');
    }
    if base.len() >= 4 && base.len() <= 64 && base.bytes().all(|b| b.is_ascii_hexdigit()) {
        return true;
    }
    base != rev && repo.revparse_single(base).is_ok()
}

/// `origin` when there is one, else the only remote; `None` when there is none (or several and
/// no `origin`: which one holds the history is a guess keytrace does not make).
fn pick_remote(repo: &Repository) -> Option<String> {
    let names = repo.remotes().ok()?;
    let names: Vec<&str> = names.iter().flatten().flatten().collect();
    if names.contains(&"origin") {
        return Some("origin".into());
    }
    match names.as_slice() {
        [one] => Some((*one).to_string()),
        _ => None,
    }
}

/// The commits to deepen from: `HEAD` and every end of the range that resolves (the boundary
/// of each moves back by the round's depth); and, apart, the ends that do not resolve but are
/// full commit ids, which can be asked for by id.
fn fetch_tips(repo: &Repository, range: &str) -> (Vec<String>, Vec<String>) {
    let mut tips: Vec<Oid> = Vec::new();
    let mut wanted: Vec<String> = Vec::new();
    if let Ok(Some(head)) = resolve(repo, "HEAD") {
        tips.push(head);
    }
    if let Some((a, b)) = ends(range) {
        for end in [a, b] {
            match resolve(repo, end) {
                Ok(Some(oid)) => tips.push(oid),
                Ok(None) if is_full_id(end) => wanted.push(end.to_ascii_lowercase()),
                _ => {}
            }
        }
    }
    tips.sort();
    tips.dedup();
    wanted.sort();
    wanted.dedup();
    (tips.iter().map(Oid::to_string).collect(), wanted)
}

/// A full SHA-1 or SHA-256 object id.
fn is_full_id(rev: &str) -> bool {
    matches!(rev.len(), 40 | 64) && rev.bytes().all(|b| b.is_ascii_hexdigit())
}

/// One `git fetch --deepen=N REMOTE TIPS...` round, quiet, never prompting. Git's own output
/// is not repeated (a remote URL in it could carry credentials): the error says what failed.
fn fetch_deeper(git_dir: &Path, remote: &str, n: u32, tips: &[String]) -> Result<(), String> {
    let mut cmd = Command::new("git");
    // The repository keytrace opened, whatever a hook's environment says; a stalled transfer
    // (under 1 KiB/s for a minute) is abandoned rather than hanging a CI job.
    for var in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
    ] {
        cmd.env_remove(var);
    }
    cmd.arg("--git-dir")
        .arg(git_dir)
        .args([
            "-c",
            "http.lowSpeedLimit=1024",
            "-c",
            "http.lowSpeedTime=60",
        ])
        .args(["fetch", "--quiet", "--no-tags", "--no-recurse-submodules"])
        .arg(format!("--deepen={n}"))
        .arg("--")
        .arg(remote)
        .args(tips)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ASKPASS", "true")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    match cmd.status() {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!(
            "`git fetch --deepen={n} {}` failed ({s}): offline, or the remote refused",
            escape_control(remote)
        )),
        Err(e) => Err(format!("cannot run `git`: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_ranges_split_into_two_ends() {
        assert_eq!(ends("a..b"), Some(("a", "b")));
        assert_eq!(ends("main..HEAD"), Some(("main", "HEAD")));
        assert_eq!(ends("..b"), Some(("HEAD", "b")));
        assert_eq!(ends("a.."), Some(("a", "HEAD")));
        assert_eq!(ends("a...b"), None);
        assert_eq!(ends("a..b..c"), None);
        assert_eq!(ends("a\n..b"), None);
        assert_eq!(ends("just-a-rev"), None);
    }

    #[test]
    fn only_full_ids_are_asked_for_by_id() {
        assert!(is_full_id("0123456789abcdef0123456789abcdef01234567"));
        assert!(is_full_id(&"a".repeat(64)));
        assert!(!is_full_id("0123456"));
        assert!(!is_full_id("main"));
        assert!(!is_full_id("0123456789abcdef0123456789abcdef0123456g"));
    }

    fn shallow_repo() -> (tempfile::TempDir, Repository) {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        (dir, repo)
    }

    #[test]
    fn only_ids_and_ancestry_of_known_names_can_appear() {
        let (_dir, repo) = shallow_repo();
        assert!(could_appear(&repo, "0123abcd"));
        assert!(could_appear(
            &repo,
            "0123456789abcdef0123456789abcdef01234567~2"
        ));
        assert!(!could_appear(&repo, "origin/main"));
        assert!(!could_appear(&repo, "feature~1"));
        assert!(!could_appear(&repo, ""));
    }

    #[test]
    fn a_missing_rev_in_a_complete_clone_is_named_not_fetched() {
        let (dir, repo) = shallow_repo();
        let err = complete_range(repo, dir.path(), "nope..HEAD", true)
            .err()
            .expect("error");
        let text = err.to_string();
        assert!(matches!(err, DeepenError::Unknown { .. }), "{text}");
        assert!(text.contains("`nope`") && !text.contains('\n'), "{text}");
    }

    #[test]
    fn errors_name_the_fix_on_one_line() {
        let e = DeepenError::Shallow {
            path: "repo".into(),
            what: "`abc`".into(),
            why: "the clone has no remote to fetch from".into(),
        };
        let text = e.to_string();
        assert!(
            text.contains("fetch-depth: 0") && !text.contains('\n'),
            "{text}"
        );
    }
}
