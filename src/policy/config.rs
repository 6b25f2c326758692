//! `keytrace.toml`: allowlists, policy rules and owners. Found at the scanned repository's root
//! (or given with `--config`). Unknown keys are errors naming the key and its line.

use super::allowlist::{AllowlistConfig, PatternError};
use super::rules::PolicyRule;
use crate::rules::text::{excerpt, line_of_offset, one_line, read_text};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The whole configuration file.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub allowlist: AllowlistConfig,
    /// Ordered policy rules; the first that matches a finding decides it.
    #[serde(default)]
    pub policy: Vec<PolicyRule>,
    /// Whether keytrace's default policy applies after the user's rules (default true).
    #[serde(default = "yes")]
    pub default_policy: bool,
    /// Owners for what CODEOWNERS cannot say (see the owners documentation).
    #[serde(default)]
    pub owners: Option<toml::Table>,
    /// The file this configuration was read from, for warnings (`None`: defaults).
    #[serde(skip)]
    pub source: Option<String>,
}

fn yes() -> bool {
    true
}

/// A configuration file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct ConfigError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// The file name looked for at a repository root.
pub const CONFIG_FILE: &str = "keytrace.toml";

/// Largest configuration file read, in bytes.
pub const MAX_CONFIG_FILE: u64 = 4 << 20;

/// Parse configuration text; `file` names it in errors and warnings. Every pattern is compiled
/// here, so a bad one is reported at its line before anything is scanned.
pub fn parse(file: &str, text: &str) -> Result<Config, ConfigError> {
    let mut config: Config = toml::from_str(text).map_err(|e| ConfigError {
        file: file.to_string(),
        line: e.span().map(|s| line_of(text, s.start)).unwrap_or(1),
        message: one_line(e.message()),
    })?;
    config.validate().map_err(|e| ConfigError {
        file: file.to_string(),
        line: line_of(text, e.offset),
        message: one_line(&e.message),
    })?;
    config.source = Some(file.to_string());
    Ok(config)
}

fn line_of(text: &str, offset: usize) -> usize {
    line_of_offset(text.as_bytes(), offset)
}

impl Config {
    fn validate(&self) -> Result<(), PatternError> {
        self.allowlist.compile_located()?;
        for rule in &self.policy {
            rule.matcher.compile().map_err(|e| PatternError {
                offset: e.offset,
                message: format!("policy `{}`: {}", excerpt(&rule.name), e.message),
            })?;
        }
        Ok(())
    }
}

/// Where the configuration comes from: `--config FILE`, else `keytrace.toml` at the root of the
/// git work tree holding `target` when there is one (never a subfolder's: finding paths, which
/// its globs match, are named from that root), else in `target` itself (its directory for a
/// file), else defaults.
pub fn locate(explicit: Option<&Path>, target: &Path) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    let dir = match crate::source::git::worktree::locate(target) {
        Some(at) => at.workdir,
        None if target.is_dir() => target.to_path_buf(),
        None => target.parent()?.to_path_buf(),
    };
    Some(dir.join(CONFIG_FILE)).filter(|p| p.is_file())
}

/// Load the configuration (defaults when there is none). A missing explicit file is an error.
/// A configuration that silences everything is warned about on stderr.
pub fn load(explicit: Option<&Path>, target: &Path) -> anyhow::Result<(Config, Option<PathBuf>)> {
    let Some(path) = locate(explicit, target) else {
        return Ok((Config::default_with_policy(), None));
    };
    let text = read_text(&path, MAX_CONFIG_FILE)?;
    let config = parse(&path.display().to_string(), &text)?;
    for w in super::silence::load_warnings(&config) {
        super::warn(&w);
    }
    Ok((config, Some(path)))
}

impl Config {
    /// No file: empty allowlist, default policy on.
    pub fn default_with_policy() -> Config {
        Config {
            default_policy: true,
            ..Config::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_name_the_key_and_line() {
        let err = parse("k.toml", "[allowlist]\npaths = []\nbogus = 1\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("bogus"), "{}", err.message);
        let err = parse(
            "k.toml",
            "\n\n[[policy]]\nname = \"x\"\nseverty = \"low\"\n",
        )
        .unwrap_err();
        assert_eq!(err.line, 5, "{err}");
    }

    #[test]
    fn bad_regex_is_an_error() {
        let err = parse("k.toml", "[allowlist]\nsecrets = [\"(unclosed\"]\n").unwrap_err();
        assert!(err.to_string().contains("k.toml"));
    }

    #[test]
    fn bad_patterns_are_one_line_at_their_own_line() {
        let text = "[allowlist]\npaths = [\n  \"ok/**\",\n  \"a/[b\",\n]\n";
        let err = parse("k.toml", text).unwrap_err();
        assert_eq!(err.line, 4, "{err}");
        let text = "[allowlist]\n\nsecrets = [\"x\", \"(unclosed\"]\n";
        let err = parse("k.toml", text).unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        assert!(!err.to_string().contains('\n'), "{err}");
        assert!(err.message.contains("unclosed group"), "{err}");
        let text = "[[policy]]\nname = \"p\"\n[policy.match]\npath = [\"a/[b\"]\n";
        let err = parse("k.toml", text).unwrap_err();
        assert_eq!(err.line, 4, "{err}");
        assert!(err.message.starts_with("policy `p`: bad glob"), "{err}");
        let text = "[[allowlist.rule]]\nid = \"x\"\nsecrets = [\"(a{1000}){1000}\"]\n";
        let err = parse("k.toml", text).unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        assert!(err.message.contains("size limit"), "{err}");
    }

    #[test]
    fn over_long_globs_are_refused_at_their_line() {
        // Regression: a 100 KB allowlist glob took a minute to compile and match.
        let long = "*a".repeat(50_000);
        for text in [
            format!("[allowlist]\n\npaths = [\"{long}\"]\n"),
            format!("[allowlist]\n\nrules = [\"{long}\"]\n"),
            format!("[[policy]]\nname = \"n\"\nmatch = {{ path = \"{long}\" }}\n"),
        ] {
            let err = parse("k.toml", &text).unwrap_err();
            assert_eq!(err.line, 3, "{err}");
            let msg = err.to_string();
            assert!(msg.contains("longer than 4096 bytes"), "{msg}");
            assert!(msg.len() < 250, "{msg}");
        }
    }

    #[test]
    fn hostile_configs_are_errors_not_panics() {
        let deep = format!("a = {}", "[".repeat(100_000));
        let deep_tables = "[x]\n".to_string() + &"a.".repeat(100_000) + "b = 1\n";
        let cases = [
            deep.as_str(),
            deep_tables.as_str(),
            "default_policy = 99999999999999999999999999",
            "[allowlist]\npaths = [\"a\\u0000b\"]\nbogus = 1",
            "[[policy]]\nname = \"x\"\nseverity = \"extreme\"",
            "[[policy]]\nname = \"x\"\nmatch = { min_severity = 1e400 }",
            "\u{0}\u{0}",
        ];
        for text in cases {
            let err = parse("h.toml", text).unwrap_err().to_string();
            assert!(err.starts_with("h.toml:"), "{err}");
            assert!(!err.contains('\n') && err.len() < 400, "{err}");
        }
    }

    #[test]
    fn empty_file_is_default() {
        let c = parse("k.toml", "").unwrap();
        assert!(c.default_policy);
        assert!(c.policy.is_empty());
    }
}
