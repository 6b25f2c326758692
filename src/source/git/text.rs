//! Git's text as keytrace prints it: raw path bytes through the one path escaper
//! ([`crate::finding::location::path_text`]) and libgit2 messages as one printable line.

/// A path or ref name given as raw bytes: invalid UTF-8 bytes written `\xNN`, so names that
/// differ only in those bytes stay distinct.
pub fn display_bytes(bytes: &[u8]) -> String {
    crate::finding::location::path_text(bytes).into_owned()
}

/// `text` with every control character escaped, everything else kept.
pub fn escape_control(text: &str) -> String {
    crate::report::escape::for_terminal(text).into_owned()
}

/// A libgit2 error as one line of text (its messages may span lines).
pub fn git_message(e: &git2::Error) -> String {
    crate::exit::one_line(e.message())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_bytes_are_escaped_and_stay_distinct() {
        assert_eq!(display_bytes(b"plain/\xc3\xa9.txt"), "plain/\u{e9}.txt");
        let a = display_bytes(b"a\xff.env");
        let b = display_bytes(b"a\xfe.env");
        assert_eq!(a, "a\\xff.env");
        assert_ne!(a, b);
    }

    #[test]
    fn git_text_is_escaped() {
        assert_eq!(escape_control("a\nb..HEAD"), "a\\nb..HEAD");
        assert!(
            !escape_control("x\u{85}y\u{7f}")
                .chars()
                .any(char::is_control)
        );
    }
}
