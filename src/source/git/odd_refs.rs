//! Refs that libgit2 does not list. Its ref iterator silently skips a ref whose name git would
//! refuse (a control character, a `..`, a trailing `.lock`...), so a commit named only by such a
//! ref was never scanned. The ref files are read here directly: loose files under `refs/` and
//! the lines of `packed-refs`, each name compared with what libgit2 listed.

use git2::Oid;
use std::collections::HashSet;
use std::path::Path;

/// Loose ref files read (a hostile `refs/` tree could hold millions).
const MAX_LOOSE_REFS: usize = 100_000;
/// Bytes read of one loose ref file (a ref is one line).
const MAX_REF_FILE: u64 = 4096;

/// (raw name, target) of every direct ref under `common_dir` whose name is not in `listed`.
/// Symbolic refs are skipped: they name other refs, which are read on their own.
pub fn unlisted(common_dir: &Path, listed: &HashSet<Vec<u8>>) -> Vec<(Vec<u8>, Oid)> {
    let mut found = Vec::new();
    let mut seen = HashSet::new();
    let mut keep = |name: Vec<u8>, target: Oid, found: &mut Vec<(Vec<u8>, Oid)>| {
        if !listed.contains(&name) && seen.insert(name.clone()) {
            found.push((name, target));
        }
    };
    let mut stack = vec![(common_dir.join("refs"), b"refs".to_vec())];
    let mut files = 0;
    while let Some((dir, prefix)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let mut name = prefix.clone();
            name.push(b'/');
            name.extend_from_slice(&name_bytes(&entry.file_name()));
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                stack.push((entry.path(), name));
            } else if kind.is_file() && files < MAX_LOOSE_REFS {
                files += 1;
                if let Some(target) = read_loose(&entry.path()) {
                    keep(name, target, &mut found);
                }
            }
        }
    }
    if let Ok(packed) = std::fs::read(common_dir.join("packed-refs")) {
        for line in packed.split(|&b| b == b'\n') {
            if let Some((target, name)) = packed_line(line) {
                keep(name.to_vec(), target, &mut found);
            }
        }
    }
    found.sort();
    found
}

fn read_loose(path: &Path) -> Option<Oid> {
    use std::io::Read;
    let mut text = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(MAX_REF_FILE)
        .read_to_end(&mut text)
        .ok()?;
    let hex = std::str::from_utf8(text.get(..40)?).ok()?;
    Oid::from_str(hex).ok()
}

/// `<40 hex> <name>` (comments and `^` peeled lines give nothing).
fn packed_line(line: &[u8]) -> Option<(Oid, &[u8])> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let (hex, rest) = (line.get(..40)?, line.get(40..)?);
    let name = rest.strip_prefix(b" ")?;
    let target = Oid::from_str(std::str::from_utf8(hex).ok()?).ok()?;
    (!name.is_empty()).then_some((target, name))
}

fn name_bytes(name: &std::ffi::OsStr) -> Vec<u8> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        name.as_bytes().to_vec()
    }
    #[cfg(not(unix))]
    {
        name.to_string_lossy().into_owned().into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_libgit2_skips_are_found_in_loose_and_packed_refs() {
        let dir = tempfile::tempdir().unwrap();
        let heads = dir.path().join("refs/heads");
        std::fs::create_dir_all(&heads).unwrap();
        let a = "1111111111111111111111111111111111111111";
        let b = "2222222222222222222222222222222222222222";
        std::fs::write(heads.join("main"), format!("{a}\n")).unwrap();
        std::fs::write(heads.join("e\u{1b}[31m"), format!("{b}\n")).unwrap();
        std::fs::write(heads.join("sym"), "ref: refs/heads/main\n").unwrap();
        std::fs::write(heads.join("junk"), "not a ref").unwrap();
        std::fs::write(
            dir.path().join("packed-refs"),
            format!("# pack-refs with: peeled\n{a} refs/tags/v\x07\n^{b}\n{b} refs/heads/main\n"),
        )
        .unwrap();
        let listed: HashSet<Vec<u8>> = [b"refs/heads/main".to_vec()].into();
        let found = unlisted(dir.path(), &listed);
        let names: Vec<&[u8]> = found.iter().map(|(n, _)| n.as_slice()).collect();
        assert_eq!(names, [&b"refs/heads/e\x1b[31m"[..], b"refs/tags/v\x07"]);
        assert_eq!(found[0].1, Oid::from_str(b).unwrap());
    }
}
