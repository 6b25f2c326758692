//! Loading rule files: the embedded set and user directories, with errors that name file and line.

use super::model::{Rule, RuleFile, RuleOrigin};
use super::text::{TextFileError, one_line, read_text};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

/// Largest rule file read, in bytes (the biggest embedded file is a few KiB).
pub const MAX_RULE_FILE: u64 = 4 << 20;

/// A rule file that cannot be used. Always names the file and, where known, the line; the
/// message is one line.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("{file}:{line}: {message}")]
    Invalid {
        file: String,
        line: usize,
        message: String,
    },
    #[error("{file}: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
    /// A file that is not UTF-8 or too large to be a rule file.
    #[error(transparent)]
    Text(#[from] TextFileError),
    /// A problem with no file to name (rules built into the code, the keyword automaton).
    #[error("{message}")]
    Other { message: String },
}

impl RuleError {
    /// An error about `rule`, located where the rule was declared.
    pub fn in_rule(rule: &Rule, message: impl std::fmt::Display) -> RuleError {
        let message = one_line(&format!("rule `{}`: {message}", rule.id));
        match &rule.origin {
            Some(o) => RuleError::Invalid {
                file: o.file.to_string(),
                line: o.line,
                message,
            },
            None => RuleError::Other { message },
        }
    }
}

/// 1-based line number of a byte offset in `text`.
pub(crate) fn line_of_offset(text: &str, offset: usize) -> usize {
    super::text::line_of_offset(text.as_bytes(), offset)
}

/// Parse one rule file's text. `file` names it in errors and in each rule's origin.
pub fn parse_rule_file(file: &str, text: &str) -> Result<Vec<Rule>, RuleError> {
    let parsed: RuleFile = toml::from_str(text).map_err(|e| RuleError::Invalid {
        file: file.to_string(),
        line: e.span().map(|s| line_of_offset(text, s.start)).unwrap_or(1),
        message: one_line(e.message()),
    })?;
    let name: Arc<str> = Arc::from(file);
    let mut rules = Vec::with_capacity(parsed.rules.len());
    for spanned in parsed.rules {
        let line = line_of_offset(text, spanned.span().start);
        let mut rule = spanned.into_inner();
        rule.origin = Some(RuleOrigin {
            file: Arc::clone(&name),
            line,
        });
        check_rule_shape(&rule).map_err(|message| RuleError::in_rule(&rule, message))?;
        rules.push(rule);
    }
    Ok(rules)
}

/// Shape checks that do not need the regex engine.
fn check_rule_shape(rule: &Rule) -> Result<(), String> {
    let kebab = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-')
    };
    if !kebab(&rule.id) {
        return Err("id must be kebab-case (a-z, 0-9, -)".into());
    }
    if rule.keywords.is_empty() {
        return Err("needs at least one keyword".into());
    }
    if let Some(k) = rule.keywords.iter().find(|k| k.len() < 2) {
        return Err(format!("keyword `{k}` is shorter than 2 bytes"));
    }
    if rule.max_span == 0 || rule.max_span > 65_536 {
        return Err("max_span must be between 1 and 65536".into());
    }
    if let Some(e) = rule.min_entropy
        && !(0.0..=8.0).contains(&e)
    {
        return Err("min_entropy must be between 0 and 8 bits per byte".into());
    }
    let pattern = regex_syntax::ast::parse::Parser::new()
        .parse(&rule.pattern)
        .map_err(|e| format!("pattern does not parse: {}", one_line(&e.to_string())))?;
    let _ = pattern;
    if !rule.pattern.contains("(?P<secret>") && !rule.pattern.contains("(?<secret>") {
        return Err("pattern needs a capture group named `secret`".into());
    }
    Ok(())
}

/// The rules shipped inside the binary.
pub fn embedded_rules() -> Result<Vec<Rule>, RuleError> {
    let mut all = Vec::new();
    for (name, text) in EMBEDDED_RULE_FILES {
        all.extend(parse_rule_file(&format!("rules/{name}"), text)?);
    }
    Ok(all)
}

/// The `.toml` rule files of a directory (sorted), or the file itself when `path` is a file.
pub fn rule_files_in(path: &Path) -> Result<Vec<PathBuf>, RuleError> {
    let io = |source| RuleError::Io {
        file: path.display().to_string(),
        source,
    };
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

/// Load every rule file of a user directory (or a single file).
pub fn load_rules_from(path: &Path) -> Result<Vec<Rule>, RuleError> {
    let mut all = Vec::new();
    for file in rule_files_in(path)? {
        let text = read_text(&file, MAX_RULE_FILE)?;
        all.extend(parse_rule_file(&file.display().to_string(), &text)?);
    }
    Ok(all)
}

/// Reject duplicate ids across all loaded rules (a rule id is forever: it keys baselines). The
/// error is located at the second declaration and names the first.
pub fn check_unique_ids(rules: &[Rule]) -> Result<(), RuleError> {
    let mut seen: HashMap<&str, &Rule> = HashMap::with_capacity(rules.len());
    for rule in rules {
        if let Some(first) = seen.insert(rule.id.as_str(), rule) {
            // Locate the error at a rule that has a file, preferring the later one.
            let (at, other) = if rule.origin.is_some() || first.origin.is_none() {
                (rule, first)
            } else {
                (first, rule)
            };
            let where_else = match &other.origin {
                Some(o) => format!("also declared at {o}"),
                None => "the id belongs to a rule built into keytrace".to_string(),
            };
            return Err(RuleError::in_rule(
                at,
                format!("duplicate rule id ({where_else})"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule_toml(id: &str, pattern: &str) -> String {
        format!(
            r#"[[rules]]
id = "{id}"
name = "n"
provider = "p"
category = "saas"
keywords = ["kw"]
pattern = '''{pattern}'''
long_lived = true
severity = "high"
description = "d"
remediation = "r"
"#
        )
    }

    #[test]
    fn each_rule_records_the_line_of_its_header() {
        let text = format!(
            "# comment\n\n{}\n{}",
            rule_toml("a-a", "(?P<secret>kw1)"),
            rule_toml("b-b", "(?P<secret>kw2)")
        );
        let rules = parse_rule_file("x/r.toml", &text).unwrap();
        let lines: Vec<_> = rules.iter().map(|r| r.origin.clone().unwrap()).collect();
        assert_eq!(lines[0].to_string(), "x/r.toml:3");
        assert_eq!(lines[1].to_string(), "x/r.toml:15");
    }

    #[test]
    fn duplicate_ids_name_both_files_and_lines_not_line_zero() {
        let a = parse_rule_file("a.toml", &rule_toml("dup-id", "(?P<secret>kw)")).unwrap();
        let b = parse_rule_file(
            "b.toml",
            &format!("\n{}", rule_toml("dup-id", "(?P<secret>kw)")),
        )
        .unwrap();
        let err = check_unique_ids(&[a, b].concat()).unwrap_err().to_string();
        assert_eq!(
            err,
            "b.toml:2: rule `dup-id`: duplicate rule id (also declared at a.toml:1)"
        );
        // A file rule that clashes with a rule built into the code is located in its file.
        let mut builtin = parse_rule_file("c.toml", &rule_toml("dup-id", "(?P<secret>kw)"))
            .unwrap()
            .remove(0);
        builtin.origin = None;
        let file = parse_rule_file("d.toml", &rule_toml("dup-id", "(?P<secret>kw)")).unwrap();
        let err = check_unique_ids(&[vec![builtin], file].concat())
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("d.toml:1: "), "{err}");
        assert!(!err.contains(":0:"), "{err}");
    }

    #[test]
    fn pattern_errors_are_one_line_and_located() {
        let err = parse_rule_file(
            "r.toml",
            &format!("\n\n{}", rule_toml("a-b", "(?P<secret>(")),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("r.toml:3: rule `a-b`: pattern does not parse"),
            "{err}"
        );
        assert!(!err.contains('\n'), "{err}");
        let huge =
            parse_rule_file("r.toml", &rule_toml("a-b", "(?P<secret>kw)(a{1000}){1000}")).unwrap();
        let err = crate::matcher::RuleSet::new(huge, true)
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.starts_with("r.toml:1: rule `a-b`: pattern does not compile"),
            "{err}"
        );
        assert!(!err.contains('\n'), "{err}");
    }

    #[test]
    fn hostile_rule_files_are_errors_not_panics() {
        let deep = format!("x = {}", "[".repeat(100_000));
        let cases = [
            deep.as_str(),
            "[[rules]]\nid = \"a\u{0}b\"\n",
            "[[rules]]\nmax_span = 99999999999999999999999999\n",
            "rules = 5",
            "\u{feff}[[rules]]",
        ];
        for text in cases {
            let err = parse_rule_file("h.toml", text).unwrap_err().to_string();
            assert!(err.starts_with("h.toml:"), "{err}");
            assert!(!err.contains('\n'), "{err}");
        }
        let max_span = rule_toml("a-b", "(?P<secret>kw)")
            .replace("long_lived", "max_span = 18446744073709551615\nlong_lived");
        let err = parse_rule_file("h.toml", &max_span)
            .unwrap_err()
            .to_string();
        assert!(err.contains("max_span"), "{err}");
    }
}
