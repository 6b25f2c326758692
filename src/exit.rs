//! The one exit policy: 0 nothing to report, 1 findings reported, 2 usage or runtime error.

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Nothing to report.
    Clean,
    /// Findings that fail the run (the code is configurable with `--exit-code`).
    Findings(u8),
    /// Usage or runtime error.
    Error,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Clean => 0,
            ExitStatus::Findings(code) => code,
            ExitStatus::Error => 2,
        }
    }
}

/// A message as one printable line: each run of line breaks becomes one space and every other
/// control character (an escape sequence in a file name, say) is shown escaped by
/// [`crate::report::escape::for_terminal`], so an error can neither span lines in a CI log nor
/// drive the terminal.
pub fn one_line(message: &str) -> String {
    let joined = message
        .split(['\n', '\r'])
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    crate::report::escape::for_terminal(&joined).into_owned()
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn errors_print_on_one_line_without_control_characters() {
        assert_eq!(one_line("bad\n\n  pattern\r\nhere"), "bad   pattern here");
        assert_eq!(one_line("a\u{1b}[31mb"), "a\\x1b[31mb");
        assert_eq!(one_line("x\u{202e}y"), "x\\u{202e}y");
    }
}
