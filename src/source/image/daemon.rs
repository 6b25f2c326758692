//! `docker://IMAGE`: export an image from a local Docker or Podman daemon through its Unix
//! socket, read-only (`GET /images/{name}/get`, the API behind `docker save`), into a
//! temporary file that is then read as a `docker save` archive. Nothing is pulled, run or
//! changed; without a daemon socket the target is refused with a clear error.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

/// Sockets tried when `DOCKER_HOST` names none: Docker's, then rootful and rootless Podman's.
const SOCKETS: &[&str] = &["/var/run/docker.sock", "/run/podman/podman.sock"];

/// An image that cannot be exported.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error(
        "docker://{0}: no Docker or Podman daemon socket found (DOCKER_HOST, /var/run/docker.sock, \
         /run/podman/podman.sock, $XDG_RUNTIME_DIR/podman/podman.sock); export the image with \
         `docker save {0} -o image.tar` and scan that file"
    )]
    NoSocket(String),
    #[error("docker://{0}: not an image name")]
    BadName(String),
    #[error("docker://{name}: the daemon at {socket} answered {status}: {message}")]
    Refused {
        name: String,
        socket: String,
        status: String,
        message: String,
    },
    #[error("docker://{name}: {message}")]
    Io { name: String, message: String },
}

/// The exported archive on disk; removed on drop.
#[derive(Debug)]
pub struct Export {
    path: PathBuf,
}

impl Export {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Export {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Export `name` from the local daemon.
#[cfg(unix)]
pub fn export(name: &str) -> Result<Export, DaemonError> {
    if !valid_name(name) {
        return Err(DaemonError::BadName(name.to_string()));
    }
    let socket = find_socket().ok_or_else(|| DaemonError::NoSocket(name.to_string()))?;
    let io = |e: std::io::Error| DaemonError::Io {
        name: name.to_string(),
        message: crate::exit::one_line(&e.to_string()),
    };
    let mut stream = std::os::unix::net::UnixStream::connect(&socket).map_err(io)?;
    // HTTP/1.0: the daemon answers with a plain body and closes the connection (no chunking).
    write!(
        stream,
        "GET /images/{name}/get HTTP/1.0\r\nHost: docker\r\n\r\n"
    )
    .map_err(io)?;
    let mut reader = BufReader::new(stream);
    let status = read_head(&mut reader).map_err(io)?;
    if status.split_whitespace().nth(1) != Some("200") {
        let mut message = String::new();
        let _ = reader.take(4096).read_to_string(&mut message);
        return Err(DaemonError::Refused {
            name: name.to_string(),
            socket: socket.display().to_string(),
            status: status.trim().to_string(),
            message: crate::exit::one_line(message.trim()),
        });
    }
    let path = std::env::temp_dir().join(format!(
        "keytrace-image-{}-{}.tar",
        std::process::id(),
        unique()
    ));
    let export = Export { path };
    let mut file = std::fs::File::create(export.path()).map_err(io)?;
    std::io::copy(&mut reader, &mut file).map_err(io)?;
    Ok(export)
}

#[cfg(not(unix))]
pub fn export(name: &str) -> Result<Export, DaemonError> {
    Err(DaemonError::NoSocket(name.to_string()))
}

/// The status line; the other header lines are read and dropped.
fn read_head(reader: &mut impl BufRead) -> std::io::Result<String> {
    let mut status = String::new();
    reader.read_line(&mut status)?;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            return Ok(status);
        }
    }
}

/// The daemon socket: `DOCKER_HOST=unix://PATH` when set, else the usual places.
fn find_socket() -> Option<PathBuf> {
    if let Ok(host) = std::env::var(crate::env_vars::DOCKER_HOST) {
        return host
            .strip_prefix("unix://")
            .map(PathBuf::from)
            .filter(|p| is_socket(p));
    }
    let runtime = std::env::var_os(crate::env_vars::XDG_RUNTIME_DIR)
        .map(|dir| PathBuf::from(dir).join("podman/podman.sock"));
    SOCKETS
        .iter()
        .map(PathBuf::from)
        .chain(runtime)
        .find(|p| is_socket(p))
}

#[cfg(unix)]
fn is_socket(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata(path).is_ok_and(|m| m.file_type().is_socket())
}

#[cfg(not(unix))]
fn is_socket(_: &Path) -> bool {
    false
}

/// An image reference: registry, repository, tag and digest characters only (no spaces, no
/// `?`, nothing that would change the request).
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-/:@".contains(&b))
        && !name.split('/').any(|p| p == ".." || p == ".")
}

fn unique() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names_cannot_change_the_request() {
        assert!(valid_name("alpine:3.20"));
        assert!(valid_name("ghcr.io/org/app@sha256:abc123"));
        assert!(!valid_name("alpine/../../containers/json"));
        assert!(!valid_name("a b"));
        assert!(!valid_name("a?x=1"));
        assert!(!valid_name(""));
    }
}
