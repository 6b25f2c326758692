//! Owner resolution: the accountable owner of each finding, and where that answer came from.
//!
//! Precedence (DESIGN.md): the first CODEOWNERS owner of the path, else the owners file's first
//! owner, else the introducing commit's author email (set earlier by git attribution), else none.
//! `owner_source` says which one answered, so a reader can tell a team that owns the code from a
//! developer who merely committed the key. A path that CODEOWNERS explicitly leaves unowned falls
//! through to the next source.

use super::codeowners::{Codeowners, Memo};
use super::owners_file::OwnersFile;
use crate::finding::Finding;

/// `owner_source` values.
pub const SOURCE_CODEOWNERS: &str = "codeowners";
pub const SOURCE_OWNERS_FILE: &str = "owners-file";
pub const SOURCE_GIT_AUTHOR: &str = "git-author";
pub const SOURCE_NONE: &str = "none";

/// Set `owner`, `owner_source`, `codeowners` and `codeowners_file` on every finding. The
/// finding's location path is matched as given (relative to the repository root).
pub fn resolve_owners(
    findings: &mut [Finding],
    codeowners: Option<&Codeowners>,
    owners_file: Option<&OwnersFile>,
) {
    let mut memo = Memo::default();
    for f in findings {
        let path = f.location.path.clone();
        resolve_one(f, Some(&path), codeowners, owners_file, &mut memo);
    }
}

/// Resolve one finding. `codeowners_path` is the finding's path relative to the CODEOWNERS
/// file's root, or `None` when the finding lies outside that root (CODEOWNERS is then skipped).
/// `memo` remembers answers of `codeowners`: use one memo per CODEOWNERS file.
pub fn resolve_one(
    f: &mut Finding,
    codeowners_path: Option<&str>,
    codeowners: Option<&Codeowners>,
    owners_file: Option<&OwnersFile>,
    memo: &mut Memo,
) {
    let from_codeowners = codeowners.zip(codeowners_path).and_then(|(c, p)| {
        memo.owners_for(c, p)
            .filter(|o| !o.is_empty())
            .map(|o| (o, c.source()))
    });
    f.props.codeowners.clear();
    f.props.codeowners_file = None;
    let (owner, source) = if let Some((all, file)) = from_codeowners {
        let first = all[0].clone();
        f.props.codeowners = all;
        f.props.codeowners_file = file.map(str::to_string);
        (Some(first), SOURCE_CODEOWNERS)
    } else if let Some(first) = owners_file
        .and_then(|o| o.owners_for(f))
        .and_then(|o| o.into_iter().next())
    {
        (Some(first), SOURCE_OWNERS_FILE)
    } else if let Some(email) = f.props.author_email.clone().filter(|e| !e.is_empty()) {
        (Some(email), SOURCE_GIT_AUTHOR)
    } else {
        (None, SOURCE_NONE)
    };
    f.props.owner = owner;
    f.props.owner_source = Some(source.to_string());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribution::owners_file::tests::finding;

    fn codeowners() -> Codeowners {
        Codeowners::parse("* @global\n/infra/ @infra @sre\n/vendor/\n")
            .with_source(".github/CODEOWNERS")
    }

    fn owners_file() -> OwnersFile {
        OwnersFile::from_project_toml(
            "[[owners.rule]]\nmatch = { rule = \"aws-*\" }\nowners = [\"@cloud-iam\", \"@sec\"]\n",
        )
        .unwrap()
        .unwrap()
    }

    #[test]
    fn codeowners_comes_first_with_every_owner_and_the_file() {
        let mut fs = vec![finding("aws-key", "aws", "infra/main.tf")];
        resolve_owners(&mut fs, Some(&codeowners()), Some(&owners_file()));
        let p = &fs[0].props;
        assert_eq!(p.owner.as_deref(), Some("@infra"));
        assert_eq!(p.owner_source.as_deref(), Some("codeowners"));
        assert_eq!(p.codeowners, vec!["@infra", "@sre"]);
        assert_eq!(p.codeowners_file.as_deref(), Some(".github/CODEOWNERS"));
    }

    #[test]
    fn explicitly_unowned_path_falls_through_to_the_owners_file() {
        let mut fs = vec![finding("aws-key", "aws", "vendor/lib/x.env")];
        resolve_owners(&mut fs, Some(&codeowners()), Some(&owners_file()));
        let p = &fs[0].props;
        assert_eq!(p.owner.as_deref(), Some("@cloud-iam"));
        assert_eq!(p.owner_source.as_deref(), Some("owners-file"));
        assert!(p.codeowners.is_empty());
        assert_eq!(p.codeowners_file, None);
    }

    #[test]
    fn git_author_when_nothing_else_names_an_owner() {
        let mut f = finding("slack-token", "slack", "vendor/x");
        f.props.author_email = Some("alice@example.com".into());
        let mut fs = vec![f];
        resolve_owners(&mut fs, Some(&codeowners()), Some(&owners_file()));
        assert_eq!(fs[0].props.owner.as_deref(), Some("alice@example.com"));
        assert_eq!(fs[0].props.owner_source.as_deref(), Some("git-author"));
    }

    #[test]
    fn none_when_no_source_knows() {
        let mut fs = vec![finding("slack-token", "slack", "x")];
        resolve_owners(&mut fs, None, None);
        assert_eq!(fs[0].props.owner, None);
        assert_eq!(fs[0].props.owner_source.as_deref(), Some("none"));
    }

    #[test]
    fn outside_the_codeowners_root_skips_codeowners() {
        let mut f = finding("aws-key", "aws", "other-repo/infra/main.tf");
        let memo = &mut Memo::default();
        resolve_one(
            &mut f,
            None,
            Some(&codeowners()),
            Some(&owners_file()),
            memo,
        );
        assert_eq!(f.props.owner_source.as_deref(), Some("owners-file"));
    }
}
