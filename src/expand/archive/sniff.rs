//! What kind of archive a blob is, by its first bytes (never by its name: a `.jar` is a zip,
//! a `.crate` a tar.gz, and a renamed backup is still what its bytes say).

/// An archive or compressed-stream format keytrace opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Zip and its family: jar, war, ear, whl, nupkg, apk, vsix, xpi, ...
    Zip,
    /// A POSIX (ustar/pax) or GNU tar stream.
    Tar,
    Gzip,
    Bzip2,
    Xz,
    Zstd,
}

impl Kind {
    /// Whether this is a compression of one stream (which may itself be a tar).
    pub fn is_compression(self) -> bool {
        matches!(self, Kind::Gzip | Kind::Bzip2 | Kind::Xz | Kind::Zstd)
    }

    /// The file-name suffixes this compression usually carries, longest first.
    pub(super) fn suffixes(self) -> &'static [&'static str] {
        match self {
            Kind::Gzip => &[".gz", ".gzip", ".z"],
            Kind::Bzip2 => &[".bz2", ".bzip2", ".bz"],
            Kind::Xz => &[".xz"],
            Kind::Zstd => &[".zstd", ".zst"],
            Kind::Zip | Kind::Tar => &[],
        }
    }
}

/// Size of a tar header block.
pub const TAR_BLOCK: usize = 512;

/// The archive kind of `bytes`, or `None` for anything else.
pub fn sniff(bytes: &[u8]) -> Option<Kind> {
    match bytes {
        // Local file header, or the end record of an empty archive. (A spanned archive's
        // marker `PK\x07\x08` is followed by a local header.)
        [b'P', b'K', 3, 4, ..]
        | [b'P', b'K', 5, 6, ..]
        | [b'P', b'K', 7, 8, b'P', b'K', 3, 4, ..] => Some(Kind::Zip),
        [0x1f, 0x8b, 8, ..] => Some(Kind::Gzip),
        // "BZh" then the block size digit 1-9.
        [b'B', b'Z', b'h', b'1'..=b'9', ..] => Some(Kind::Bzip2),
        [0xFD, b'7', b'z', b'X', b'Z', 0, ..] => Some(Kind::Xz),
        [0x28, 0xB5, 0x2F, 0xFD, ..] => Some(Kind::Zstd),
        _ if is_tar_header(bytes) => Some(Kind::Tar),
        _ => None,
    }
}

/// Whether `bytes` starts with a tar header: the `ustar` magic at offset 257, or an old (v7)
/// header whose checksum field matches its contents.
pub fn is_tar_header(bytes: &[u8]) -> bool {
    let Some(header) = bytes.get(..TAR_BLOCK) else {
        return false;
    };
    if &header[257..262] == b"ustar" {
        return true;
    }
    // A v7 header: a file name, NUL-padded octal fields, and a checksum over the block with
    // the checksum field taken as spaces. An all-zero block (sum 256 vs. stored 0) fails.
    let Some(stored) = octal(&header[148..156]) else {
        return false;
    };
    let sum: u64 = header
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u64::from(b)
            }
        })
        .sum();
    header[0] != 0 && sum == stored
}

/// An octal number field of a tar header (digits, padded by spaces or NULs).
fn octal(field: &[u8]) -> Option<u64> {
    let digits: Vec<u8> = field
        .iter()
        .copied()
        .skip_while(|&b| b == b' ')
        .take_while(|b| (b'0'..=b'7').contains(b))
        .collect();
    if digits.is_empty() {
        return None;
    }
    let rest_ok = field
        .iter()
        .skip_while(|&&b| b == b' ')
        .skip(digits.len())
        .all(|&b| b == 0 || b == b' ');
    if !rest_ok {
        return None;
    }
    std::str::from_utf8(&digits)
        .ok()
        .and_then(|s| u64::from_str_radix(s, 8).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_decide_not_names() {
        assert_eq!(sniff(b"PK\x03\x04rest"), Some(Kind::Zip));
        assert_eq!(sniff(b"PK\x05\x06"), Some(Kind::Zip));
        assert_eq!(sniff(&[0x1f, 0x8b, 8, 0]), Some(Kind::Gzip));
        assert_eq!(sniff(b"BZh91AY&SY"), Some(Kind::Bzip2));
        assert_eq!(sniff(&[0xFD, b'7', b'z', b'X', b'Z', 0]), Some(Kind::Xz));
        assert_eq!(sniff(&[0x28, 0xB5, 0x2F, 0xFD, 0]), Some(Kind::Zstd));
        assert_eq!(sniff(b"PK is a word"), None);
        assert_eq!(sniff(b"BZh0"), None);
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(&[0u8; 1024]), None);
    }

    #[test]
    fn tar_headers_are_recognised_with_or_without_the_ustar_magic() {
        let mut ustar = [0u8; 512];
        ustar[..5].copy_from_slice(b"a.txt");
        ustar[257..263].copy_from_slice(b"ustar\0");
        assert!(is_tar_header(&ustar));

        let mut v7 = [0u8; 512];
        v7[..5].copy_from_slice(b"a.txt");
        v7[100..108].copy_from_slice(b"0000644\0");
        let sum: u32 = v7.iter().map(|&b| u32::from(b)).sum::<u32>() + 8 * 32;
        v7[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        assert!(is_tar_header(&v7));
        v7[0] = b'b';
        assert!(!is_tar_header(&v7), "a checksum that does not match");
        assert!(!is_tar_header(&v7[..100]));
    }
}
