//! Remote repositories are kept as mirrors (`git clone --mirror`) in a cache directory and
//! updated in place (`git fetch --prune`), so each night fetches only what changed.
//!
//! The git CLI does the network work: it brings the user's credential helpers, SSH config,
//! proxies and protocol support for free. Prompts are disabled (a sweep never waits for a
//! password). A token is handed to git through `GIT_CONFIG_*` environment variables as an HTTP
//! header, never on the command line where `ps` would show it. A new mirror is cloned into a
//! temporary directory and renamed into place, so an interrupted clone never leaves a
//! half-written mirror that later runs would trust.

use super::target::HttpAuth;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A clone or fetch that failed.
#[derive(Debug, thiserror::Error)]
pub enum MirrorError {
    #[error("{url}: cannot run git: {message}")]
    Spawn { url: String, message: String },
    #[error("{url}: git {what} failed: {message}")]
    Git {
        url: String,
        what: &'static str,
        message: String,
    },
    #[error("{path}: {message}")]
    Io { path: String, message: String },
}

/// Where the mirror of `identity` lives in `cache`.
pub fn mirror_path(cache: &Path, identity: &str) -> PathBuf {
    cache.join(format!("{}.git", file_stem(identity)))
}

/// A file name for `identity`: a readable slug plus a hash, so distinct identities never
/// collide (mirrors, per-repository SARIF files).
pub fn file_stem(identity: &str) -> String {
    let slug: String = identity
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let slug = slug.trim_matches(['_', '.']);
    let skip = slug.chars().count().saturating_sub(80);
    let slug: String = slug.chars().skip(skip).collect();
    let hash = hex::encode(Sha256::digest(identity.as_bytes()));
    format!("{slug}-{}", &hash[..12])
}

/// Clone `url` as a mirror at `dest`, or update the mirror already there. Returns `dest`.
pub fn sync(url: &str, token: Option<&HttpAuth>, dest: &Path) -> Result<PathBuf, MirrorError> {
    if dest.join("HEAD").is_file() {
        let dir = s(dest);
        git(
            url,
            None,
            "config",
            &["--git-dir", &dir, "config", "remote.origin.url", url],
        )?;
        git(
            url,
            token,
            "fetch",
            &["--git-dir", &dir, "fetch", "--prune", "--quiet", "origin"],
        )?;
        return Ok(dest.to_path_buf());
    }
    let parent = dest.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| MirrorError::Io {
        path: parent.display().to_string(),
        message: e.to_string(),
    })?;
    let tmp = dest.with_extension(format!("tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let cloned = git(
        url,
        token,
        "clone",
        &["clone", "--mirror", "--quiet", "--", url, &s(&tmp)],
    );
    if let Err(e) = cloned {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, dest).map_err(|e| MirrorError::Io {
        path: dest.display().to_string(),
        message: e.to_string(),
    })?;
    Ok(dest.to_path_buf())
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// Run one git command without prompts; `what` names it in errors.
fn git(
    url: &str,
    token: Option<&HttpAuth>,
    what: &'static str,
    args: &[&str],
) -> Result<(), MirrorError> {
    let mut cmd = Command::new("git");
    cmd.args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GCM_INTERACTIVE", "never")
        .stdin(std::process::Stdio::null());
    if let Some(t) = token {
        add_auth_header(&mut cmd, t);
    }
    let out = cmd.output().map_err(|e| MirrorError::Spawn {
        url: url.to_string(),
        message: e.to_string(),
    })?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The last line says what failed; a remote controls its text, so controls are escaped.
    let message = crate::source::git::text::escape_control(
        stderr.trim().lines().last().unwrap_or("no message").trim(),
    );
    Err(MirrorError::Git {
        url: url.to_string(),
        what,
        message: if message.is_empty() {
            format!("exit status {}", out.status)
        } else {
            message
        },
    })
}

/// `http.extraHeader: Authorization: Basic base64(USER:TOKEN)` via `GIT_CONFIG_*`, appended
/// after any configuration the environment already passes that way.
fn add_auth_header(cmd: &mut Command, auth: &HttpAuth) {
    let n: usize = std::env::var("GIT_CONFIG_COUNT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", auth.user, auth.token));
    cmd.env("GIT_CONFIG_COUNT", (n + 1).to_string())
        .env(format!("GIT_CONFIG_KEY_{n}"), "http.extraHeader")
        .env(
            format!("GIT_CONFIG_VALUE_{n}"),
            format!("Authorization: Basic {basic}"),
        );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirror_paths_are_readable_and_distinct() {
        let a = mirror_path(Path::new("/c"), "github.com/o/r");
        let b = mirror_path(Path::new("/c"), "github.com/o_r");
        assert!(a.display().to_string().starts_with("/c/github.com_o_r-"));
        assert!(a.display().to_string().ends_with(".git"));
        assert_ne!(a, b);
    }
}
