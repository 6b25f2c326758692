//! Which refs a reader of a history finding wants to see first.
//!
//! A commit of an old repository is reached by hundreds of refs (every later tag, every
//! branch). Reports list a bounded number of them, so the order decides what survives the cut:
//! HEAD's branch, then the default branch (`refs/remotes/origin/HEAD`'s target, else `main` or
//! `master`), then the other local branches, then tags from newest to oldest (tagger date, or
//! the tagged commit's date for lightweight tags), then everything else (remote-tracking
//! branches, stash, other namespaces), each group by name.

use super::repo::Tip;
use git2::Repository;

/// The groups, most relevant first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Group {
    Head,
    Default,
    LocalBranch,
    Tag,
    Other,
}

/// What the repository says about its current and default branches.
struct Landmarks {
    head: Option<String>,
    /// Full names of the default branch: the local one, then its remote-tracking one.
    default: Vec<String>,
}

impl Landmarks {
    fn read(repo: &Repository) -> Landmarks {
        let head = repo
            .find_reference("HEAD")
            .ok()
            .and_then(|r| r.symbolic_target().ok().flatten().map(str::to_string));
        let remote_default = repo
            .find_reference("refs/remotes/origin/HEAD")
            .ok()
            .and_then(|r| r.symbolic_target().ok().flatten().map(str::to_string));
        let default = match remote_default {
            Some(remote) => {
                let short = remote
                    .strip_prefix("refs/remotes/origin/")
                    .unwrap_or(&remote);
                vec![format!("refs/heads/{short}"), remote.clone()]
            }
            None => ["main", "master"]
                .iter()
                .flat_map(|b| {
                    [
                        format!("refs/heads/{b}"),
                        format!("refs/remotes/origin/{b}"),
                    ]
                })
                .collect(),
        };
        Landmarks { head, default }
    }

    fn group(&self, name: &str) -> Group {
        if name == "HEAD" || self.head.as_deref() == Some(name) {
            Group::Head
        } else if self.default.iter().any(|d| d == name) {
            Group::Default
        } else if name.starts_with("refs/heads/") {
            Group::LocalBranch
        } else if name.starts_with("refs/tags/") {
            Group::Tag
        } else {
            Group::Other
        }
    }

    /// Position among the default branch's names (`main` before `master`, local before remote).
    fn default_position(&self, name: &str) -> usize {
        self.default
            .iter()
            .position(|d| d == name)
            .unwrap_or(usize::MAX)
    }
}

/// Sort key of a tip: its group, its place in the group, and (tags) newest first.
type Key = (Group, usize, std::cmp::Reverse<i64>);

/// When a tag was made: the tagger's date of an annotated tag, else its commit's date.
fn tag_time(repo: &Repository, tip: &Tip) -> i64 {
    let tagged = repo
        .find_reference(&tip.name)
        .ok()
        .and_then(|r| r.target())
        .and_then(|oid| repo.find_tag(oid).ok())
        .and_then(|tag| tag.tagger().map(|s| s.when().seconds()));
    tagged.unwrap_or_else(|| {
        repo.find_commit(tip.commit)
            .map(|c| c.time().seconds())
            .unwrap_or(i64::MIN)
    })
}

/// `tips` ordered by relevance (see the module doc). Every tip is kept; only the order changes.
pub fn by_relevance<'t>(
    repo: &Repository,
    tips: impl IntoIterator<Item = &'t Tip>,
) -> Vec<&'t Tip> {
    let marks = Landmarks::read(repo);
    let mut keyed: Vec<(Key, &Tip)> = tips
        .into_iter()
        .map(|t| {
            let group = marks.group(&t.name);
            let within = match group {
                Group::Default => marks.default_position(&t.name),
                _ => 0,
            };
            let newest_first = match group {
                Group::Tag => std::cmp::Reverse(tag_time(repo, t)),
                _ => std::cmp::Reverse(0),
            };
            ((group, within, newest_first), t)
        })
        .collect();
    keyed.sort_by(|(ka, a), (kb, b)| ka.cmp(kb).then_with(|| a.name.cmp(&b.name)));
    keyed.into_iter().map(|(_, t)| t).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(when: i64) -> git2::Signature<'static> {
        git2::Signature::new("T", "t@example.com", &git2::Time::new(when, 0)).unwrap()
    }

    #[test]
    fn head_default_branches_then_newest_tags_then_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let tree = {
            let mut index = repo.index().unwrap();
            repo.find_tree(index.write_tree().unwrap()).unwrap()
        };
        let c1 = repo
            .commit(
                Some("refs/heads/master"),
                &sig(100),
                &sig(100),
                "one",
                &tree,
                &[],
            )
            .unwrap();
        let parent = repo.find_commit(c1).unwrap();
        let c2 = repo
            .commit(None, &sig(200), &sig(200), "two", &tree, &[&parent])
            .unwrap();
        repo.reference("refs/heads/feature", c2, true, "").unwrap();
        repo.reference("refs/heads/aaa", c1, true, "").unwrap();
        repo.reference("refs/tags/light-old", c1, true, "").unwrap();
        repo.reference("refs/tags/light-new", c2, true, "").unwrap();
        let obj = repo.find_object(c1, None).unwrap();
        repo.tag("annotated-newest", &obj, &sig(300), "t", false)
            .unwrap();
        repo.reference("refs/remotes/upstream/zzz", c1, true, "")
            .unwrap();
        repo.set_head("refs/heads/feature").unwrap();
        let tips = super::super::repo::tips(&repo, &[]).unwrap().tips;
        let names: Vec<&str> = by_relevance(&repo, &tips)
            .into_iter()
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "refs/heads/feature",
                "refs/heads/master",
                "refs/heads/aaa",
                "refs/tags/annotated-newest",
                "refs/tags/light-new",
                "refs/tags/light-old",
                "refs/remotes/upstream/zzz",
            ]
        );
    }
}
