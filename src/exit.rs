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

/// A message as one printable line: line breaks become spaces and other control characters
/// (an escape sequence in a file name, say) are shown escaped, so an error can neither span
/// lines in a CI log nor drive the terminal.
pub fn one_line(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut last_space = false;
    for c in message.chars() {
        if matches!(c, '\n' | '\r') {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
            continue;
        }
        last_space = c == ' ';
        if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn errors_print_on_one_line_without_control_characters() {
        assert_eq!(one_line("bad\n\n  pattern\r\nhere"), "bad   pattern here");
        assert_eq!(one_line("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(one_line("x\u{202e}y"), "x\\u{202e}y");
    }
}
