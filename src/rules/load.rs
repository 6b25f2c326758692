//! Loading rule files: the embedded set and user directories, with errors that name file and line.

use super::model::{Rule, RuleFile};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

/// A rule file that cannot be used. Always names the file and, where known, the line.
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
}

/// 1-based line number of a byte offset in `text`.
pub(crate) fn line_of_offset(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Line on which the rule with this id is declared, for error messages.
fn line_of_rule(text: &str, id: &str) -> usize {
    let quoted = format!("\"{id}\"");
    text.find(&quoted)
        .map(|off| line_of_offset(text, off))
        .unwrap_or(1)
}

/// Parse one rule file's text. `file` is only used in error messages.
pub fn parse_rule_file(file: &str, text: &str) -> Result<Vec<Rule>, RuleError> {
    let parsed: RuleFile = toml::from_str(text).map_err(|e| RuleError::Invalid {
        file: file.to_string(),
        line: e.span().map(|s| line_of_offset(text, s.start)).unwrap_or(1),
        message: e.message().trim().to_string(),
    })?;
    for rule in &parsed.rules {
        check_rule_shape(rule).map_err(|message| RuleError::Invalid {
            file: file.to_string(),
            line: line_of_rule(text, &rule.id),
            message: format!("rule `{}`: {message}", rule.id),
        })?;
    }
    Ok(parsed.rules)
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
        .map_err(|e| format!("pattern does not parse: {e}"))?;
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
        let name = file.display().to_string();
        let text = std::fs::read_to_string(&file).map_err(|source| RuleError::Io {
            file: name.clone(),
            source,
        })?;
        all.extend(parse_rule_file(&name, &text)?);
    }
    Ok(all)
}

/// Reject duplicate ids across all loaded rules (a rule id is forever: it keys baselines).
pub fn check_unique_ids(rules: &[Rule]) -> Result<(), RuleError> {
    let mut seen = HashSet::new();
    for rule in rules {
        if !seen.insert(rule.id.as_str()) {
            return Err(RuleError::Invalid {
                file: format!("rule `{}`", rule.id),
                line: 0,
                message: "duplicate rule id".into(),
            });
        }
    }
    Ok(())
}
