//! Blobs: the unit of scanning. Content plus where it came from, and the sniffing that decides
//! whether a blob is scanned at all.

use crate::finding::SourceKind;
use sha1_smol::Sha1;

/// Where a blob's content came from; attribution turns this into finding properties.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// Display path (relative to the scanned root, or the history path).
    pub path: String,
    pub source: SourceKind,
    /// For config stores: the store's name.
    pub store: Option<String>,
}

/// Bytes looked at to decide whether a blob is binary (as git does).
const SNIFF_LEN: usize = 8000;

/// True when the blob looks binary: a NUL byte in its first 8000 bytes, as git decides.
pub fn is_binary(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(SNIFF_LEN)]).is_some()
}

/// The text of a UTF-16 blob, or `None` when the blob is not UTF-16.
///
/// A byte-order mark (`FF FE` little-endian, `FE FF` big-endian) decides; without one, a blob is
/// taken as UTF-16 when nearly every code unit of its first 8000 bytes has a zero high byte and
/// a non-zero low byte (ASCII-range text, as Windows tools write it), always on the same side.
/// Unpaired surrogates become U+FFFD, which is one UTF-16 unit like the surrogate it replaces,
/// so columns stay those of the original.
pub fn utf16_text(bytes: &[u8]) -> Option<String> {
    let (body, little) = match bytes {
        [0xFF, 0xFE, rest @ ..] => (rest, true),
        [0xFE, 0xFF, rest @ ..] => (rest, false),
        _ => (bytes, utf16_without_bom(bytes)?),
    };
    let units = body.chunks_exact(2).map(|p| {
        if little {
            u16::from_le_bytes([p[0], p[1]])
        } else {
            u16::from_be_bytes([p[0], p[1]])
        }
    });
    Some(
        char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect(),
    )
}

/// Endianness of BOM-less UTF-16 text (true: little-endian), by its zero bytes.
fn utf16_without_bom(bytes: &[u8]) -> Option<bool> {
    let sniff = &bytes[..bytes.len().min(SNIFF_LEN) & !1];
    let pairs = sniff.len() / 2;
    if pairs < 2 || bytes.len() % 2 != 0 {
        return None;
    }
    let (mut le, mut be) = (0usize, 0usize);
    for p in sniff.chunks_exact(2) {
        match (p[0], p[1]) {
            (a, 0) if a != 0 => le += 1,
            (0, b) if b != 0 => be += 1,
            _ => {}
        }
    }
    // At least 90% of the units look like ASCII on one side.
    if le * 10 >= pairs * 9 {
        Some(true)
    } else if be * 10 >= pairs * 9 {
        Some(false)
    } else {
        None
    }
}

/// Git's object id for a blob with this content (`sha1("blob <len>\0" + content)`), so that a
/// working-tree file and a historical blob share one identity.
pub fn git_blob_id(bytes: &[u8]) -> String {
    let mut h = Sha1::new();
    h.update(format!("blob {}\0", bytes.len()).as_bytes());
    h.update(bytes);
    h.digest().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_id_matches_git() {
        // `printf 'hello\n' | git hash-object --stdin`
        assert_eq!(
            git_blob_id(b"hello\n"),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
    }

    fn utf16le(text: &str, bom: bool) -> Vec<u8> {
        let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        out
    }

    #[test]
    fn utf16_text_is_decoded_with_or_without_bom() {
        let text = "API_KEY=abc\r\nname=é\r\n";
        assert_eq!(utf16_text(&utf16le(text, true)).as_deref(), Some(text));
        assert_eq!(utf16_text(&utf16le(text, false)).as_deref(), Some(text));
        let mut be = vec![0xFE, 0xFF];
        be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(utf16_text(&be).as_deref(), Some(text));
    }

    #[test]
    fn binary_and_utf8_are_not_utf16() {
        assert_eq!(utf16_text(b"plain text, nothing odd"), None);
        assert_eq!(utf16_text(&[0, 0, 0, 0, 1, 2, 3, 0]), None);
        assert_eq!(utf16_text(b"\x7fELF\x02\x01\x01\x00"), None);
        assert_eq!(utf16_text(b""), None);
    }

    #[test]
    fn nul_means_binary() {
        assert!(is_binary(b"ab\0cd"));
        assert!(!is_binary("é text".as_bytes()));
    }
}
