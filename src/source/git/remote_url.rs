//! A git remote URL as a browsable `https://` address, for SARIF
//! `versionControlProvenance.repositoryUri`.
//!
//! Code scanning shows the repository URI to people and links to it, so it must be a network
//! address without credentials, never a filesystem path of the machine that ran the scan:
//! `git@github.com:o/r.git`, `ssh://git@github.com/o/r` and `git://github.com/o/r` all become
//! `https://github.com/o/r`; `https://user:token@host/o/r.git?x#y` becomes `https://host/o/r`.
//! Local paths, `file://` URLs and anything unparsable give `None`.

use crate::sweep::target::strip_credentials;

/// The `https://host/path` form of a remote URL (an `http://` remote stays `http://`), without
/// user info, port of an ssh URL, query, fragment, trailing `/` or `.git`; `None` when `url` is
/// not a network remote.
pub fn https_form(url: &str) -> Option<String> {
    let url = url.trim();
    if url.is_empty() || url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return None;
    }
    let (scheme, host, path) = match url.split_once("://") {
        Some((scheme, rest)) => split_url(&scheme.to_ascii_lowercase(), rest)?,
        None => split_scp(url)?,
    };
    let host = host.to_ascii_lowercase();
    if !valid_host(&host) {
        return None;
    }
    let path = clean_path(path)?;
    Some(format!("{scheme}://{host}/{path}"))
}

/// `scheme://[user@]host[:port]/path` → (scheme of the result, host[:port], path).
fn split_url<'a>(scheme: &str, rest: &'a str) -> Option<(&'static str, &'a str, &'a str)> {
    let (authority, path) = rest.split_once('/')?;
    let host_port = authority.rsplit('@').next()?;
    match scheme {
        // An http(s) port is part of the web address; credentials go.
        "https" => Some(("https", host_port, path)),
        "http" => Some(("http", host_port, path)),
        // The port of an ssh or git daemon is not the web server's.
        "ssh" | "git+ssh" | "ssh+git" | "git" => Some(("https", strip_port(host_port), path)),
        _ => None,
    }
}

/// scp-like `[user[:password]@]host:path` → ("https", host, path). User info ends at the last
/// `@` before the first `/`. A Windows drive (`C:\x`, `C:/x`) or a relative path with a colon
/// after a slash is a local path, not a remote.
fn split_scp(url: &str) -> Option<(&'static str, &str, &str)> {
    let head_end = url.find('/').unwrap_or(url.len());
    let after_user = url[..head_end].rfind('@').map_or(0, |at| at + 1);
    let (host, path) = url[after_user..].split_once(':')?;
    if host.contains('/') || host.contains('\\') || path.starts_with('\\') || host.len() == 1 {
        return None;
    }
    Some(("https", host, path))
}

fn strip_port(host_port: &str) -> &str {
    if host_port.starts_with('[') {
        // An IPv6 literal: the port, if any, follows the closing bracket.
        return host_port
            .find(']')
            .map_or(host_port, |end| &host_port[..=end]);
    }
    host_port.split(':').next().unwrap_or(host_port)
}

/// Letters, digits, `.`, `-`, `_`, an optional `:port`, or a bracketed IPv6 literal.
fn valid_host(host: &str) -> bool {
    if let Some(inner) = host.strip_prefix('[') {
        let (addr, port) = inner.split_once(']').unwrap_or((inner, "!"));
        return !addr.is_empty()
            && addr.chars().all(|c| c.is_ascii_hexdigit() || c == ':')
            && (port.is_empty() || valid_port(port));
    }
    let (name, port) = match host.split_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (host, None),
    };
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        && port.is_none_or(valid_port)
}

fn valid_port(port: &str) -> bool {
    let digits = port.strip_prefix(':').unwrap_or(port);
    !digits.is_empty() && digits.len() <= 5 && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The repository path without query, fragment, leading or trailing `/` and `.git`, percent-encoded where a URI needs it; `None` when nothing is left.
fn clean_path(path: &str) -> Option<String> {
    let path = path.split(['?', '#']).next().unwrap_or("");
    let mut path = path.trim_matches('/');
    if let Some(p) = path.strip_suffix(".git") {
        path = p.trim_end_matches('/');
    }
    if path.is_empty() || path.split('/').any(|seg| seg == "..") {
        return None;
    }
    Some(encode_path(path))
}

/// Percent-encode every byte that may not appear raw in a URI path (a valid `%XX` escape is
/// kept as it is).
fn encode_path(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    for (i, &b) in bytes.iter().enumerate() {
        let escape_ok = b == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
        if b.is_ascii_alphanumeric() || b"/-_.~!$&'()*+,;=:@".contains(&b) || escape_ok {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The URL of the remote a repository's provenance names: `origin`, else the first remote
/// with a URL, in `https_form`. Credentials are stripped before anything else sees the URL.
pub fn repository_uri(repo: &git2::Repository) -> Option<String> {
    let url_of = |name: &str| {
        repo.find_remote(name)
            .ok()
            .and_then(|r| r.url().ok().map(strip_credentials))
    };
    if let Some(url) = url_of("origin") {
        return https_form(&url);
    }
    let names = repo.remotes().ok()?;
    (0..names.len())
        .filter_map(|i| names.get(i).ok().flatten())
        .find_map(|name| https_form(&url_of(name)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remotes_become_https_addresses() {
        let cases = [
            ("git@github.com:o/r.git", "https://github.com/o/r"),
            ("github.com:o/r", "https://github.com/o/r"),
            ("user:pw@host.example:o/r", "https://host.example/o/r"),
            ("ssh://git@github.com/o/r.git", "https://github.com/o/r"),
            ("ssh://git@github.com:22/o/r.git/", "https://github.com/o/r"),
            ("git+ssh://git@GitHub.com/o/r", "https://github.com/o/r"),
            ("git://github.com/o/r.git", "https://github.com/o/r"),
            ("https://github.com/o/r.git", "https://github.com/o/r"),
            ("https://github.com/o/r", "https://github.com/o/r"),
            (
                "https://x-access-token:ghp_abc@github.com/o/r.git",
                "https://github.com/o/r",
            ),
            (
                "https://tok@ghe.example:8443/g/sub/r.git",
                "https://ghe.example:8443/g/sub/r",
            ),
            ("http://gitea.local/o/r.git", "http://gitea.local/o/r"),
            (
                "https://host/o/r.git?private_token=abc#frag",
                "https://host/o/r",
            ),
            ("ssh://git@[::1]:2222/o/r", "https://[::1]/o/r"),
            ("https://host/o/caf%C3%A9", "https://host/o/caf%C3%A9"),
            ("https://host/o/café", "https://host/o/caf%C3%A9"),
        ];
        for (url, want) in cases {
            assert_eq!(https_form(url).as_deref(), Some(want), "{url}");
        }
    }

    #[test]
    fn local_paths_and_odd_input_give_nothing() {
        for url in [
            "",
            "/srv/git/r.git",
            "../r",
            "./r:x",
            "file:///srv/git/r.git",
            "C:\\repos\\r",
            "C:/repos/r",
            "https://github.com",
            "https://github.com/",
            "https://host/../x",
            "https://bad host/o/r",
            "https://host/o/my repo",
            "https://ho\x1bst/o/r",
            "ftp://host/o/r",
            "https://host:99999999/o/r",
            "git@:o/r",
            "ssh://[::1/o/r",
        ] {
            assert_eq!(https_form(url), None, "{url:?}");
        }
    }

    #[test]
    fn no_credential_survives() {
        for url in [
            "https://user:s3cr3t@host/o/r",
            "ssh://user:s3cr3t@host/o/r",
            "user:s3cr3t@host:o/r",
            "https://host/o/r?token=s3cr3t",
        ] {
            let out = https_form(url).unwrap_or_default();
            assert!(!out.contains("s3cr3t"), "{url} → {out}");
        }
    }

    #[test]
    fn the_origin_remote_wins_and_a_repository_without_remote_has_no_uri() {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        assert_eq!(repository_uri(&repo), None);
        repo.remote("upstream", "git@github.com:up/r.git").unwrap();
        assert_eq!(
            repository_uri(&repo).as_deref(),
            Some("https://github.com/up/r")
        );
        repo.remote("origin", "https://tok@github.com/o/r.git")
            .unwrap();
        assert_eq!(
            repository_uri(&repo).as_deref(),
            Some("https://github.com/o/r")
        );
        let local = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(local.path()).unwrap();
        repo.remote("origin", &dir.path().display().to_string())
            .unwrap();
        assert_eq!(repository_uri(&repo), None);
    }
}
