//! Walk an archive's entries, opening nested archives down to the depth bound, and hand each
//! entry that is not itself an archive to a visitor with its path inside the artifact.
//!
//! Formats are read with the well-kept crates (`zip`, `tar`, `flate2`, `bzip2`, `liblzma`,
//! `zstd`); every decompressed byte is charged to the top-level archive's [`Budget`].

use super::limits::{ArchiveLimits, Budget, Counted, EntryRead, read_entry};
use super::sniff::{Kind, TAR_BLOCK, is_tar_header, sniff};
use crate::finding::location::path_text;
use std::io::{self, Cursor, Read};

/// Largest memory an xz stream may ask for (its dictionary); `xz -9` needs 65 MiB.
const XZ_MEMORY_LIMIT: u64 = 128 << 20;

/// What walking one archive met besides its entries: the coverage it owes.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Archives opened (the top one and each nested one).
    pub archives: u64,
    /// Entries handed to the visitor.
    pub entries: u64,
    /// Entries skipped, or archives stopped, by a limit.
    pub limit: u64,
    /// Archives (or entries) that could not be read: bad headers, bad data, unknown methods.
    pub corrupt: u64,
    /// Encrypted entries (never decrypted).
    pub encrypted: u64,
}

/// The visitor: an entry's path inside the top-level archive (one element per archive level)
/// and its bytes.
pub type Visit<'v> = dyn FnMut(&[String], &[u8]) + 'v;

/// Walk the archive `bytes` (named `name`, for naming a compressed single file's content).
/// Returns `None` when `bytes` is no archive or its top level cannot be opened at all, so that
/// the caller treats the blob as it would any other.
pub fn walk(
    bytes: &[u8],
    name: &str,
    limits: ArchiveLimits,
    visit: &mut Visit<'_>,
) -> Option<Outcome> {
    if limits.max_depth == 0 {
        return None;
    }
    let kind = sniff(bytes)?;
    let budget = Budget::new(limits, bytes.len());
    let mut walker = Walker {
        budget: &budget,
        outcome: Outcome::default(),
        visit,
    };
    let opened = walker.archive(kind, bytes, name, &mut Vec::new(), 1);
    if !opened {
        return None;
    }
    if budget.exceeded() {
        walker.outcome.limit += 1;
    }
    Some(walker.outcome)
}

struct Walker<'a, 'v> {
    budget: &'a Budget,
    outcome: Outcome,
    visit: &'a mut Visit<'v>,
}

/// How reading an archive's entries ended early.
enum Stop {
    /// The archive's budget is spent (counted once, by [`walk`]).
    Budget,
    /// The data is corrupt from here on.
    Corrupt,
}

impl Walker<'_, '_> {
    fn limits(&self) -> ArchiveLimits {
        *self.budget.limits()
    }

    /// Read one archive at nesting `depth` (1 = top). False when its first entry could not
    /// even be located (not an archive after all); entries read before a failure stay visited.
    fn archive(
        &mut self,
        kind: Kind,
        bytes: &[u8],
        name: &str,
        path: &mut Vec<String>,
        depth: usize,
    ) -> bool {
        let before = self.outcome;
        let result = match kind {
            Kind::Zip => self.zip(bytes, path, depth),
            Kind::Tar => self.tar(Counted::new(Cursor::new(bytes), self.budget), path, depth),
            _ => self.compressed(kind, bytes, name, path, depth),
        };
        let opened = self.outcome.entries > before.entries
            || self.outcome.limit > before.limit
            || self.outcome.encrypted > before.encrypted
            || self.outcome.archives > before.archives
            || !matches!(result, Err(Stop::Corrupt));
        match result {
            Ok(()) | Err(Stop::Budget) => {}
            Err(Stop::Corrupt) if opened => self.outcome.corrupt += 1,
            Err(Stop::Corrupt) => {}
        }
        if opened {
            self.outcome.archives += 1;
        }
        opened
    }

    /// An entry's content: open it when it is an archive (within the depth bound), else visit.
    fn entry(&mut self, bytes: &[u8], path: &mut Vec<String>, depth: usize) {
        if let Some(kind) = sniff(bytes) {
            if depth >= self.limits().max_depth {
                self.outcome.limit += 1;
                return;
            }
            let name = path.last().cloned().unwrap_or_default();
            if self.archive(kind, bytes, &name, path, depth + 1) || self.budget.exceeded() {
                return;
            }
            // Looked like an archive but is none: count it, and scan it as the bytes it is.
            self.outcome.corrupt += 1;
        }
        self.outcome.entries += 1;
        (self.visit)(path, bytes);
    }

    /// Read one entry within the per-entry bound and pass it on; a too-large entry is counted.
    fn read_and_visit(
        &mut self,
        reader: &mut dyn Read,
        path: &mut Vec<String>,
        depth: usize,
    ) -> Result<(), Stop> {
        match read_entry(reader, self.limits().max_entry_bytes) {
            EntryRead::Whole(bytes) => {
                self.entry(&bytes, path, depth);
                Ok(())
            }
            EntryRead::TooLarge => {
                self.outcome.limit += 1;
                Ok(())
            }
            EntryRead::Failed(partial, _) if self.budget.exceeded() => {
                drop(partial);
                Err(Stop::Budget)
            }
            EntryRead::Failed(partial, _) => {
                // What could be read before the damage is still scanned.
                if !partial.is_empty() {
                    self.entry(&partial, path, depth);
                }
                Err(Stop::Corrupt)
            }
        }
    }

    fn zip(&mut self, bytes: &[u8], path: &mut Vec<String>, depth: usize) -> Result<(), Stop> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| Stop::Corrupt)?;
        for i in 0..zip.len() {
            if !self.budget.charge_entry() {
                return Err(Stop::Budget);
            }
            let (name, is_file, encrypted, declared) = match zip.by_index_raw(i) {
                Ok(f) => (
                    path_text(f.name_raw()).into_owned(),
                    f.is_file(),
                    f.encrypted(),
                    f.size(),
                ),
                Err(_) => return Err(Stop::Corrupt),
            };
            if !is_file {
                continue;
            }
            if encrypted {
                self.outcome.encrypted += 1;
                continue;
            }
            if declared > self.limits().max_entry_bytes {
                self.outcome.limit += 1;
                continue;
            }
            let file = match zip.by_index(i) {
                Ok(f) => f,
                Err(zip::result::ZipError::UnsupportedArchive(_)) => {
                    // An unknown compression method: this entry is unreadable, the rest is not.
                    self.outcome.corrupt += 1;
                    continue;
                }
                Err(_) => return Err(Stop::Corrupt),
            };
            path.push(name);
            let mut reader = Counted::new(file, self.budget);
            let read = self.read_and_visit(&mut reader, path, depth);
            path.pop();
            read?;
        }
        Ok(())
    }

    fn tar<R: Read>(
        &mut self,
        reader: R,
        path: &mut Vec<String>,
        depth: usize,
    ) -> Result<(), Stop> {
        let mut archive = tar::Archive::new(reader);
        let entries = archive.entries().map_err(|_| self.stop())?;
        for entry in entries {
            let mut entry = entry.map_err(|_| self.stop())?;
            if !self.budget.charge_entry() {
                return Err(Stop::Budget);
            }
            let kind = entry.header().entry_type();
            if !(kind.is_file() || kind.is_contiguous() || kind.is_gnu_sparse()) {
                continue;
            }
            let declared = entry.header().size().unwrap_or(u64::MAX);
            if declared > self.limits().max_entry_bytes {
                // The tar reader skips its data (charged to the budget) on the next entry.
                self.outcome.limit += 1;
                continue;
            }
            let name = path_text(&entry.path_bytes()).into_owned();
            path.push(name);
            let read = self.read_and_visit(&mut entry, path, depth);
            path.pop();
            read?;
        }
        Ok(())
    }

    /// A compressed stream: a tar inside it is read as a tar, anything else is one entry named
    /// after the archive without its compression suffix (or the name gzip recorded).
    fn compressed(
        &mut self,
        kind: Kind,
        bytes: &[u8],
        name: &str,
        path: &mut Vec<String>,
        depth: usize,
    ) -> Result<(), Stop> {
        let mut decoder = Counted::new(
            decoder(kind, bytes).map_err(|_| Stop::Corrupt)?,
            self.budget,
        );
        let mut head = Vec::with_capacity(TAR_BLOCK);
        if (&mut decoder)
            .take(TAR_BLOCK as u64)
            .read_to_end(&mut head)
            .is_err()
        {
            return Err(self.stop());
        }
        if head.is_empty() {
            // An empty stream holds nothing to scan; a valid but empty archive.
            return Ok(());
        }
        let is_tar = is_tar_header(&head);
        let mut rest = Cursor::new(head).chain(decoder);
        if is_tar {
            return self.tar(rest, path, depth);
        }
        let inner = gzip_name(kind, bytes).unwrap_or_else(|| strip_suffix(kind, name));
        path.push(inner);
        let read = self.read_and_visit(&mut rest, path, depth);
        path.pop();
        read
    }

    /// The stop an error means: the budget when it is spent, else corruption.
    fn stop(&self) -> Stop {
        if self.budget.exceeded() {
            Stop::Budget
        } else {
            Stop::Corrupt
        }
    }
}

/// A streaming decoder for a compressed stream; concatenated members or frames are all read.
fn decoder<'a>(kind: Kind, bytes: &'a [u8]) -> io::Result<Box<dyn Read + 'a>> {
    Ok(match kind {
        Kind::Gzip => Box::new(flate2::read::MultiGzDecoder::new(bytes)),
        Kind::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(bytes)),
        Kind::Xz => {
            let stream = liblzma::stream::Stream::new_stream_decoder(
                XZ_MEMORY_LIMIT,
                liblzma::stream::CONCATENATED,
            )
            .map_err(io::Error::other)?;
            Box::new(liblzma::read::XzDecoder::new_stream(bytes, stream))
        }
        Kind::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(bytes)?),
        Kind::Zip | Kind::Tar => return Err(io::Error::other("not a compressed stream")),
    })
}

/// The original file name a gzip header records (`gzip -N`), if any and if it is a plain name.
fn gzip_name(kind: Kind, bytes: &[u8]) -> Option<String> {
    if kind != Kind::Gzip {
        return None;
    }
    let mut decoder = flate2::read::GzDecoder::new(bytes);
    // The header is parsed on the first read.
    let _ = decoder.read(&mut [0u8; 1]);
    let name = decoder.header()?.filename()?;
    let name = path_text(name).into_owned();
    (!name.is_empty() && !name.contains('/')).then_some(name)
}

/// `name` without its compression suffix (`.tgz` → `.tar`); `name` itself when none matches.
fn strip_suffix(kind: Kind, name: &str) -> String {
    let base = name.rsplit(['/', '!']).next().unwrap_or(name);
    let lower = base.to_ascii_lowercase();
    for (suffix, replacement) in [
        (".tgz", ".tar"),
        (".tbz2", ".tar"),
        (".tbz", ".tar"),
        (".txz", ".tar"),
        (".tzst", ".tar"),
    ] {
        if lower.ends_with(suffix) {
            return format!("{}{replacement}", &base[..base.len() - suffix.len()]);
        }
    }
    for suffix in kind.suffixes() {
        if lower.ends_with(suffix) && lower.len() > suffix.len() {
            return base[..base.len() - suffix.len()].to_string();
        }
    }
    base.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_compressed_file_is_named_without_its_suffix() {
        assert_eq!(strip_suffix(Kind::Gzip, "logs/app.log.gz"), "app.log");
        assert_eq!(strip_suffix(Kind::Gzip, "x.tar.gz!inner/b.TGZ"), "b.tar");
        assert_eq!(strip_suffix(Kind::Zstd, "dump.sql.zst"), "dump.sql");
        assert_eq!(strip_suffix(Kind::Xz, "noext"), "noext");
        assert_eq!(strip_suffix(Kind::Bzip2, ".bz2"), ".bz2");
    }

    fn nested_sample() -> Vec<u8> {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("conf/a.ini", zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(b"[x]\nkey=value\n").unwrap();
        let zip = zip.finish().unwrap().into_inner();
        let mut tar = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_ustar();
        h.set_size(zip.len() as u64);
        h.set_cksum();
        tar.append_data(&mut h, "dist/p.zip", zip.as_slice())
            .unwrap();
        let tar = tar.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn truncated_and_damaged_archives_never_panic() {
        let whole = nested_sample();
        let limits = ArchiveLimits::default();
        let mut seen = Vec::new();
        let outcome = walk(&whole, "r.tgz", limits, &mut |p: &[String], _: &[u8]| {
            seen.push(p.join("!"))
        })
        .unwrap();
        assert_eq!(seen, ["dist/p.zip!conf/a.ini"]);
        assert_eq!((outcome.archives, outcome.corrupt), (2, 0));
        for cut in 0..whole.len() {
            let _ = walk(
                &whole[..cut],
                "r.tgz",
                limits,
                &mut |_: &[String], _: &[u8]| {},
            );
        }
        for i in 10..whole.len() {
            let mut bad = whole.clone();
            bad[i] ^= 0x5a;
            let _ = walk(&bad, "r.tgz", limits, &mut |_: &[String], _: &[u8]| {});
        }
    }
}
