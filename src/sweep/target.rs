//! Which repositories a sweep covers, and the identity each is known by.
//!
//! The identity keys the state database, the shard partition and the fingerprint scope, so it
//! must not depend on how a repository was reached: URLs are normalised (scheme, credentials,
//! `.git` suffix and trailing slashes dropped, host lower-cased, scp-like `git@host:org/repo`
//! read as `host/org/repo`); local repositories are known by their absolute path.

use super::SweepError;
use std::path::{Path, PathBuf};

/// Where a repository's objects come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepoSource {
    /// A clone on disk (bare or not), scanned in place and never modified.
    Local(PathBuf),
    /// A clone URL, mirrored into the cache directory. `auth` authenticates HTTPS fetches
    /// (repositories listed from a GitHub organisation or a GitLab group).
    Remote { url: String, auth: Option<HttpAuth> },
    /// A container image (`--image-list`): a `docker save` tarball or OCI layout (archive or
    /// directory) by absolute path, or `docker://NAME` exported from the local daemon.
    Image(String),
}

/// HTTP Basic credentials git sends for a remote: the provider's token user name
/// (`x-access-token` for GitHub, `oauth2` for GitLab) and the token.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpAuth {
    pub user: &'static str,
    pub token: String,
}

impl std::fmt::Debug for HttpAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HttpAuth {{ user: {:?}, token: <redacted> }}", self.user)
    }
}

/// One repository to sweep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoTarget {
    /// Stable identity (see the module docs).
    pub identity: String,
    /// Where it was found, for humans: the path, or the URL without credentials.
    pub location: String,
    pub source: RepoSource,
}

impl RepoTarget {
    /// A repository given by path.
    pub fn local(path: &Path) -> RepoTarget {
        let abs = absolute(path);
        let shown = abs.display().to_string();
        RepoTarget {
            identity: shown.clone(),
            location: shown,
            source: RepoSource::Local(abs),
        }
    }

    /// A repository given by clone URL.
    pub fn remote(url: &str, auth: Option<HttpAuth>) -> RepoTarget {
        RepoTarget {
            identity: normalise_url(url),
            location: strip_credentials(url),
            source: RepoSource::Remote {
                url: url.to_string(),
                auth,
            },
        }
    }
}

impl RepoTarget {
    /// A container image given by reference: `docker://NAME`, or a path (made absolute).
    pub fn image(reference: &str) -> RepoTarget {
        let reference = if reference.starts_with(crate::source::image::DOCKER_SCHEME) {
            reference.to_string()
        } else {
            absolute(Path::new(reference)).display().to_string()
        };
        RepoTarget {
            identity: reference.clone(),
            location: reference.clone(),
            source: RepoSource::Image(reference),
        }
    }

    /// Whether this target is a container image.
    pub fn is_image(&self) -> bool {
        matches!(self.source, RepoSource::Image(_))
    }
}

fn absolute(path: &Path) -> PathBuf {
    path.canonicalize()
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf())
}

/// True for strings that name a remote: `scheme://...` or scp-like `user@host:path`.
pub fn is_url(s: &str) -> bool {
    if s.contains("://") {
        return true;
    }
    match (s.find('@'), s.find(':')) {
        (Some(at), Some(colon)) => at < colon && !s[..colon].contains('/'),
        _ => false,
    }
}

/// The URL without `user:password@` (also used for the repository URI of single scans).
pub fn strip_credentials(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}

/// Normalise a clone URL into an identity: `https://User@GitHub.com/Org/Repo.git/` and
/// `git@github.com:Org/Repo.git` both become `github.com/Org/Repo`. `file://` URLs keep their
/// path (`file:///srv/r.git` → `/srv/r`).
pub fn normalise_url(url: &str) -> String {
    let url = url.trim();
    let (host, path) = if let Some((_, rest)) = url.split_once("://") {
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let host = authority.rsplit('@').next().unwrap_or(authority);
        (host.to_ascii_lowercase(), path.to_string())
    } else if let Some((userhost, path)) = url.split_once(':') {
        let host = userhost.rsplit('@').next().unwrap_or(userhost);
        (host.to_ascii_lowercase(), path.to_string())
    } else {
        (String::new(), url.to_string())
    };
    let mut path = path.trim_end_matches('/').to_string();
    if let Some(p) = path.strip_suffix(".git") {
        path = p.trim_end_matches('/').to_string();
    }
    let path = path.trim_start_matches('/');
    if host.is_empty() {
        format!("/{path}")
    } else {
        format!("{host}/{path}")
    }
}

/// Every git repository directly below `dir` (bare or not), sorted by name.
pub fn from_repos_dir(dir: &Path) -> Result<Vec<RepoTarget>, SweepError> {
    let io = |e: std::io::Error| SweepError::Io {
        path: dir.display().to_string(),
        message: e.to_string(),
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir() && looks_like_repo(p))
        .collect();
    paths.sort();
    Ok(paths.iter().map(|p| RepoTarget::local(p)).collect())
}

/// A work tree with `.git`, or a bare repository (`HEAD`, `objects/`, `refs/`).
fn looks_like_repo(p: &Path) -> bool {
    p.join(".git").exists()
        || (p.join("HEAD").is_file() && p.join("objects").is_dir() && p.join("refs").is_dir())
}

/// The entries of a list file with their 0-based line numbers: `#` comments (whole lines, or
/// after a space) and blank lines dropped, each entry trimmed.
fn list_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().filter_map(|(i, raw)| {
        let line = match raw.find(" #") {
            Some(at) => &raw[..at],
            None => raw,
        }
        .trim();
        (!line.is_empty() && !line.starts_with('#')).then_some((i, line))
    })
}

/// Read a list file (repositories or images) and parse it with `parse`.
fn read_list(
    file: &Path,
    parse: fn(&Path, &str) -> Result<Vec<RepoTarget>, SweepError>,
) -> Result<Vec<RepoTarget>, SweepError> {
    let text = std::fs::read_to_string(file).map_err(|e| SweepError::Io {
        path: file.display().to_string(),
        message: e.to_string(),
    })?;
    parse(file, &text)
}

/// Parse a repository list: one path or clone URL per line; blank lines and `#` comments are
/// skipped. Relative paths are relative to the list file's directory.
pub fn parse_list(file: &Path, text: &str) -> Result<Vec<RepoTarget>, SweepError> {
    let base = file.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    for (i, line) in list_lines(text) {
        if line.contains(char::is_whitespace) {
            return Err(SweepError::RepoList {
                file: file.display().to_string(),
                line: i + 1,
                message: format!("`{line}`: one repository path or URL per line"),
            });
        }
        out.push(if is_url(line) {
            RepoTarget::remote(line, None)
        } else {
            RepoTarget::local(&base.join(line))
        });
    }
    Ok(out)
}

/// Read and parse a repository list file.
pub fn from_list_file(file: &Path) -> Result<Vec<RepoTarget>, SweepError> {
    read_list(file, parse_list)
}

/// Parse an image list: one image reference per line (a `docker save` tarball or OCI layout
/// archive path, an OCI layout directory, or `docker://NAME`); blank lines and `#` comments
/// are skipped. Relative paths are relative to the list file's directory. A line naming a path
/// that does not exist is an error (whether it holds an image is found out when it is swept).
pub fn parse_image_list(file: &Path, text: &str) -> Result<Vec<RepoTarget>, SweepError> {
    let base = file.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    for (i, line) in list_lines(text) {
        let bad = |message: String| SweepError::RepoList {
            file: file.display().to_string(),
            line: i + 1,
            message,
        };
        if line.contains(char::is_whitespace) {
            return Err(bad(format!("`{line}`: one image reference per line")));
        }
        if let Some(name) = line.strip_prefix(crate::source::image::DOCKER_SCHEME) {
            if name.is_empty() || name.starts_with('/') {
                return Err(bad(format!("`{line}`: no image name after docker://")));
            }
            out.push(RepoTarget::image(line));
            continue;
        }
        if line.contains("://") {
            return Err(bad(format!(
                "`{line}`: expected a path or docker://NAME (registries are not read)"
            )));
        }
        let path = base.join(line);
        if !path.exists() {
            return Err(bad(format!("`{line}`: no such file or directory")));
        }
        out.push(RepoTarget::image(&path.display().to_string()));
    }
    Ok(out)
}

/// Read and parse an image list file.
pub fn from_image_list_file(file: &Path) -> Result<Vec<RepoTarget>, SweepError> {
    read_list(file, parse_image_list)
}

/// Drop repeats of an identity (the first occurrence wins) and sort by identity.
pub fn dedup(mut targets: Vec<RepoTarget>) -> Vec<RepoTarget> {
    let mut seen = std::collections::HashSet::new();
    targets.retain(|t| seen.insert(t.identity.clone()));
    targets.sort_by(|a, b| a.identity.cmp(&b.identity));
    targets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_normalise_to_one_identity() {
        for u in [
            "https://github.com/Org/Repo.git",
            "https://x-access-token:abc@GitHub.com/Org/Repo/",
            "git@github.com:Org/Repo.git",
            "ssh://git@github.com/Org/Repo",
        ] {
            assert_eq!(normalise_url(u), "github.com/Org/Repo", "{u}");
        }
        assert_eq!(normalise_url("file:///srv/git/r.git"), "/srv/git/r");
    }

    #[test]
    fn credentials_never_reach_the_location() {
        let t = RepoTarget::remote("https://user:s3cret@host.example/o/r.git", None);
        assert_eq!(t.location, "https://host.example/o/r.git");
        assert!(!t.identity.contains("s3cret"));
    }

    #[test]
    fn image_lists_take_paths_and_docker_names_and_name_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("app.tar"), b"x").unwrap();
        let file = dir.path().join("images.txt");
        let got = parse_image_list(
            &file,
            "# images\n\napp.tar  # the app\ndocker://acme/app:1\n",
        )
        .unwrap();
        assert_eq!(got.len(), 2);
        let abs = absolute(&dir.path().join("app.tar")).display().to_string();
        assert_eq!(got[0].source, RepoSource::Image(abs.clone()));
        assert_eq!(got[0].identity, abs);
        assert_eq!(got[1].identity, "docker://acme/app:1");
        for (text, line) in [
            ("app.tar\nmissing.tar\n", 2),
            ("docker://\n", 1),
            ("\n\nhttps://registry.example/app\n", 3),
            ("a b\n", 1),
        ] {
            let err = parse_image_list(&file, text).unwrap_err().to_string();
            let want = format!("{}:{line}: ", file.display());
            assert!(err.starts_with(&want), "{text:?}: {err}");
        }
    }

    #[test]
    fn url_detection() {
        assert!(is_url("git@github.com:o/r.git"));
        assert!(is_url("file:///tmp/x"));
        assert!(!is_url("/srv/repos/a"));
        assert!(!is_url("./dir/with@at:colon"));
    }

    #[test]
    fn list_skips_comments_and_names_bad_lines() {
        let file = Path::new("/lists/repos.txt");
        let text = "# nightly\n\nhttps://github.com/o/a.git  # main app\nrepos/b\n";
        let got = parse_list(file, text).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].identity, "github.com/o/a");
        assert_eq!(
            got[1].source,
            RepoSource::Local(PathBuf::from("/lists/repos/b"))
        );
        let err = parse_list(file, "a\nb c\n").unwrap_err().to_string();
        assert_eq!(
            err,
            "/lists/repos.txt:2: `b c`: one repository path or URL per line"
        );
    }
}
