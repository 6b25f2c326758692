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

    #[test]
    fn nul_means_binary() {
        assert!(is_binary(b"ab\0cd"));
        assert!(!is_binary("é text".as_bytes()));
    }
}
