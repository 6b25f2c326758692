//! The name a secret is assigned to, read from the text before it on its line: `NAME=…`,
//! `export NAME=…`, `NAME: …`, `"NAME": "…"`, `NAME = "…"`, `NAME := …`, `- NAME=…`. A
//! Kubernetes-style `value:` line takes the name of the `name:` line just above it.

use crate::finding::Location;
use regex::Regex;
use std::io::Read;
use std::path::Path;
use std::sync::LazyLock;

/// Files larger than this are not re-read to find a name.
const MAX_READ: u64 = 4 * 1024 * 1024;

/// `NAME` followed by an assignment operator and an optional opening quote, at the end of the
/// text before the secret.
static ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"([A-Za-z_][A-Za-z0-9_.\-]*)["']?\s*(?::=|=>|=|:)\s*["'`]?\s*$"#)
        .expect("assignment regex")
});

/// `name: NAME` (a Kubernetes env entry, a list of name/value pairs).
static NAME_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*-?\s*["']?name["']?\s*:\s*["']?([A-Za-z_][A-Za-z0-9_.\-]*)["']?\s*,?\s*$"#)
        .expect("name-line regex")
});

/// Keys that hold the value of an entry named on the line above, not a name of their own.
const VALUE_KEYS: [&str; 2] = ["value", "default"];

/// The name assigned on `line_before` (the text of the line before the secret), with
/// `previous_line` (the line above) for `value:` entries. `None` when the secret is not assigned
/// to a name (a bare token, a URL, a PEM block).
pub fn assigned_name(line_before: &str, previous_line: Option<&str>) -> Option<String> {
    let caps = ASSIGN.captures(line_before)?;
    let name = caps.get(1)?.as_str().trim_matches(|c| c == '.' || c == '-');
    if name.len() < 2 {
        return None;
    }
    if VALUE_KEYS.contains(&name.to_ascii_lowercase().as_str()) {
        let above = previous_line?;
        return NAME_LINE
            .captures(above)
            .map(|c| c[1].to_string())
            .filter(|n| n.len() >= 2);
    }
    Some(name.to_string())
}

/// The assigned name of the secret at byte `start` of `blob`.
pub fn name_in_blob(blob: &[u8], start: usize) -> Option<String> {
    let start = start.min(blob.len());
    let line_start = blob[..start]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let before = String::from_utf8_lossy(&blob[line_start..start]);
    let previous = previous_line(blob, line_start);
    assigned_name(&before, previous.as_deref())
}

fn previous_line(blob: &[u8], line_start: usize) -> Option<String> {
    if line_start == 0 {
        return None;
    }
    let end = line_start - 1;
    let begin = blob[..end]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    Some(
        String::from_utf8_lossy(&blob[begin..end])
            .trim_end_matches('\r')
            .to_string(),
    )
}

/// The assigned name of the finding at `loc` in the file at `path` (read up to 4 MiB).
pub fn name_from_file(path: &Path, loc: &Location) -> Option<String> {
    let file = std::fs::File::open(path).ok()?;
    let mut bytes = Vec::new();
    file.take(MAX_READ).read_to_end(&mut bytes).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    let lines: Vec<&str> = text.lines().collect();
    let line = lines.get(loc.start_line.checked_sub(1)?)?;
    // Columns are 1-based characters (UTF-16 code units; equal for ASCII lines).
    let before: String = line
        .chars()
        .take(loc.start_column.saturating_sub(1))
        .collect();
    let previous = loc
        .start_line
        .checked_sub(2)
        .and_then(|i| lines.get(i))
        .copied();
    assigned_name(&before, previous)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_read_from_common_assignment_forms() {
        let cases = [
            ("OPENAI_API_KEY=", "OPENAI_API_KEY"),
            ("export GITHUB_TOKEN=\"", "GITHUB_TOKEN"),
            ("  SLACK_TOKEN: ", "SLACK_TOKEN"),
            ("    \"HF_TOKEN\": \"", "HF_TOKEN"),
            ("api_key = '", "api_key"),
            ("token := \"", "token"),
            ("      - STRIPE_KEY=", "STRIPE_KEY"),
            ("spring.datasource.password=", "spring.datasource.password"),
        ];
        for (before, want) in cases {
            assert_eq!(
                assigned_name(before, None).as_deref(),
                Some(want),
                "{before}"
            );
        }
    }

    #[test]
    fn bare_values_have_no_name() {
        for before in [
            "",
            "   ",
            "curl -H 'Authorization: Bearer ",
            "see https://x/",
        ] {
            assert_eq!(assigned_name(before, None), None, "{before}");
        }
        assert_eq!(
            assigned_name("x = ", None),
            None,
            "one-letter names are not names"
        );
    }

    #[test]
    fn a_value_line_takes_the_name_above_it() {
        let got = assigned_name("          value: ", Some("        - name: OPENAI_API_KEY"));
        assert_eq!(got.as_deref(), Some("OPENAI_API_KEY"));
        assert_eq!(assigned_name("value: ", Some("image: x")), None);
        let blob = b"env:\n  - name: HF_TOKEN\n    value: hf_abc\n";
        let at = blob.windows(6).position(|w| w == b"hf_abc").unwrap();
        assert_eq!(name_in_blob(blob, at).as_deref(), Some("HF_TOKEN"));
    }
}
