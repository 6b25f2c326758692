//! Directory source: walk paths with the `ignore` crate and list the regular files to scan.
//!
//! `.gitignore`d files ARE scanned by default: a gitignored `.env` on a developer's disk is
//! exactly where keys sprawl. `--respect-gitignore` turns git's ignore rules back on. `.git/`
//! is never entered; symlinks are not followed (so there are no loops) and are counted.

use crate::coverage::{Coverage, SkipReason};
use ignore::{WalkBuilder, WalkState};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A file to scan: where it is, how reports name it, and the index of the root it was found
/// under.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FileEntry {
    pub path: PathBuf,
    pub display: String,
    pub root: usize,
}

/// A path to walk, and how files under it are named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkRoot {
    pub path: PathBuf,
    /// The root's path from the root of the git work tree holding it (empty for the work tree
    /// itself): files are then named from the work tree root, whatever the target and the
    /// current directory. `None` outside a work tree: names are relative to the target.
    pub in_repo: Option<PathBuf>,
}

impl WalkRoot {
    /// A root whose files are named relative to it (no repository lookup).
    pub fn plain(path: PathBuf) -> WalkRoot {
        WalkRoot {
            path,
            in_repo: None,
        }
    }

    /// How `file`, found under this root, is named in reports.
    fn display(&self, file: &Path, single_root: bool) -> String {
        let Some(base) = &self.in_repo else {
            return display_path(&self.path, file, single_root);
        };
        let shown = match file.strip_prefix(&self.path) {
            Ok(below) if below.as_os_str().is_empty() => base.clone(),
            Ok(below) => base.join(below),
            Err(_) => file.to_path_buf(),
        };
        path_bytes_text(&shown)
    }
}

/// A path argument that does not exist or cannot be walked.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct WalkError {
    pub path: String,
    pub message: String,
}

/// Display path of `file` found under `root`: relative to a directory root, else as given.
pub fn display_path(root: &Path, file: &Path, single_root: bool) -> String {
    let shown = if root.is_dir() {
        match file.strip_prefix(root) {
            Ok(rel) if single_root => rel.to_path_buf(),
            Ok(rel) => root.join(rel),
            Err(_) => file.to_path_buf(),
        }
    } else {
        file.to_path_buf()
    };
    let s = path_bytes_text(&shown);
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// A path's text with invalid bytes escaped (see [`crate::finding::location::path_text`]).
#[cfg(unix)]
fn path_bytes_text(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    crate::finding::location::path_text(path.as_os_str().as_bytes()).into_owned()
}

/// Windows paths print with forward slashes, as in git.
#[cfg(not(unix))]
fn path_bytes_text(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// Refuse a target that cannot be scanned as asked, so that a scan never reports "0 files,
/// nothing found" for a path it could not read: a missing path or a dangling symbolic link, an
/// unreadable file or directory, a FIFO, socket or device (reading `/dev/zero` never ends and a
/// FIFO blocks), and a directory on a virtual file system such as `/proc` or `/sys`.
pub fn check_target(root: &Path) -> Result<(), WalkError> {
    let fail = |message: &str| WalkError {
        path: path_bytes_text(root),
        message: message.to_string(),
    };
    let link = std::fs::symlink_metadata(root).map_err(|e| fail(&io_reason(&e)))?;
    let meta = match std::fs::metadata(root) {
        Ok(m) => m,
        Err(_) if link.file_type().is_symlink() => {
            return Err(fail("broken symbolic link (its target does not exist)"));
        }
        Err(e) => return Err(fail(&io_reason(&e))),
    };
    if meta.is_dir() {
        if let Some(fs) = virtual_file_system(root) {
            return Err(fail(&format!(
                "is on a virtual file system ({fs}); its files are not data at rest, not scanned"
            )));
        }
        std::fs::read_dir(root).map_err(|e| fail(&io_reason(&e)))?;
        return Ok(());
    }
    if !meta.is_file() {
        return Err(fail(&format!(
            "not a regular file or directory ({}); not scanned",
            special_kind(&meta)
        )));
    }
    open_no_follow(&std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()))
        .map(drop)
        .map_err(|_| fail("permission denied"))
}

/// The resolved file of a target that is a symbolic link to a regular file.
fn linked_file(root: &Path) -> Option<PathBuf> {
    let link = std::fs::symlink_metadata(root).ok()?;
    let target = std::fs::metadata(root).ok()?;
    (link.file_type().is_symlink() && target.is_file())
        .then(|| std::fs::canonicalize(root).ok())
        .flatten()
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => crate::exit::one_line(&e.to_string()),
    }
}

#[cfg(unix)]
fn special_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::Metadata) -> &'static str {
    "a special file"
}

/// The name of the virtual file system `dir` lives on, if it is one whose files are generated
/// by the kernel (reading them scans process memory maps, not data at rest).
#[cfg(target_os = "linux")]
fn virtual_file_system(dir: &Path) -> Option<&'static str> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a NUL-terminated path and `st` a properly sized, writable statfs buffer.
    if unsafe { libc::statfs(c.as_ptr(), &mut st) } != 0 {
        return None;
    }
    // Magic numbers from statfs(2).
    match st.f_type as i64 {
        0x9fa0 => Some("procfs"),
        0x6265_6572 => Some("sysfs"),
        0x1cd1 => Some("devpts"),
        0x6462_6720 => Some("debugfs"),
        0x2762_0a56 => Some("cgroup"),
        0x6367_7270 => Some("cgroup2"),
        _ => None,
    }
}

#[cfg(not(target_os = "linux"))]
fn virtual_file_system(_: &Path) -> Option<&'static str> {
    None
}

/// List every regular file under `roots`, named relative to each root, sorted by display path.
pub fn list_files(
    roots: &[PathBuf],
    respect_gitignore: bool,
    threads: usize,
    coverage: &Coverage,
) -> Result<Vec<FileEntry>, WalkError> {
    let roots: Vec<WalkRoot> = roots.iter().cloned().map(WalkRoot::plain).collect();
    list_roots(&roots, respect_gitignore, threads, coverage)
}

/// List every regular file under `roots`, each named as its [`WalkRoot`] says, sorted by
/// display path.
pub fn list_roots(
    roots: &[WalkRoot],
    respect_gitignore: bool,
    threads: usize,
    coverage: &Coverage,
) -> Result<Vec<FileEntry>, WalkError> {
    for root in roots {
        check_target(&root.path)?;
    }
    let found = Mutex::new(Vec::new());
    let single_root = roots.len() == 1;
    for (index, walk_root) in roots.iter().enumerate() {
        let root = walk_root.path.as_path();
        if let Some(file) = linked_file(root) {
            // A link named on the command line is followed: the user chose it.
            found.lock().expect("walk lock").push(FileEntry {
                path: file,
                display: walk_root.display(root, single_root),
                root: index,
            });
            continue;
        }
        let mut builder = WalkBuilder::new(root);
        builder
            .hidden(false)
            .follow_links(false)
            .git_ignore(respect_gitignore)
            .git_global(respect_gitignore)
            .git_exclude(respect_gitignore)
            .ignore(respect_gitignore)
            .parents(respect_gitignore)
            .require_git(false)
            .threads(crate::pipeline::effective_threads(threads))
            .filter_entry(|e| e.file_name() != ".git");
        builder.build_parallel().run(|| {
            Box::new(|entry| {
                match entry {
                    Ok(e) => {
                        let ft = e.file_type();
                        if ft.is_some_and(|t| t.is_symlink()) {
                            coverage.skip(SkipReason::Symlink);
                        } else if ft.is_some_and(|t| !t.is_file() && !t.is_dir()) {
                            coverage.skip(SkipReason::SpecialFile);
                        } else if ft.is_some_and(|t| t.is_file()) {
                            let display = walk_root.display(e.path(), single_root);
                            found.lock().expect("walk lock").push(FileEntry {
                                path: e.into_path(),
                                display,
                                root: index,
                            });
                        }
                    }
                    Err(_) => coverage.skip(SkipReason::Unreadable),
                }
                WalkState::Continue
            })
        });
    }
    let mut files = found.into_inner().expect("walk lock");
    files.sort();
    // Overlapping roots list a file twice: keep it once.
    files.dedup_by(|a, b| a.path == b.path && a.display == b.display);
    Ok(files)
}

/// Why a file could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadRefusal {
    /// Larger than the size limit.
    TooLarge,
    /// Not a regular file once opened (a FIFO, socket or device swapped in during the walk).
    Special,
    /// A symbolic link where a file was expected (swapped in during the walk).
    Symlink,
    /// Permission denied, vanished, or an I/O error.
    Unreadable,
}

/// Read a regular file, at most `max` bytes, without ever blocking on it or following a link.
///
/// The file is opened with `O_NONBLOCK | O_NOFOLLOW`, and its type is checked on the open handle
/// (not on the path, which may have been swapped since the walk listed it): a FIFO or device is
/// refused without a read, and a file that grows past `max` while being read is refused too,
/// since the read stops at `max + 1` bytes.
pub fn read_bounded(path: &Path, max: u64) -> Result<Vec<u8>, ReadRefusal> {
    use std::io::Read;
    let file = open_no_follow(path)?;
    let meta = file.metadata().map_err(|_| ReadRefusal::Unreadable)?;
    if !meta.is_file() {
        return Err(ReadRefusal::Special);
    }
    if meta.len() > max {
        return Err(ReadRefusal::TooLarge);
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|_| ReadRefusal::Unreadable)?;
    if bytes.len() as u64 > max {
        return Err(ReadRefusal::TooLarge);
    }
    Ok(bytes)
}

#[cfg(unix)]
fn open_no_follow(path: &Path) -> Result<std::fs::File, ReadRefusal> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW)
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            Some(libc::ELOOP) => ReadRefusal::Symlink,
            _ => ReadRefusal::Unreadable,
        })
}

#[cfg(not(unix))]
fn open_no_follow(path: &Path) -> Result<std::fs::File, ReadRefusal> {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(ReadRefusal::Symlink);
    }
    std::fs::File::open(path).map_err(|_| ReadRefusal::Unreadable)
}
