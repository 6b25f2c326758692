//! `keytrace.toml`: allowlists, policy rules and owners. Found at the scanned repository's root
//! (or given with `--config`). Unknown keys are errors naming the key and its line.

use super::allowlist::AllowlistConfig;
use super::rules::PolicyRule;
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

/// Parse configuration text; `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<Config, ConfigError> {
    let config: Config = toml::from_str(text).map_err(|e| ConfigError {
        file: file.to_string(),
        line: e.span().map(|s| line_of(text, s.start)).unwrap_or(1),
        message: e.message().trim().to_string(),
    })?;
    config.validate().map_err(|message| ConfigError {
        file: file.to_string(),
        line: 1,
        message,
    })?;
    Ok(config)
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

impl Config {
    fn validate(&self) -> Result<(), String> {
        self.allowlist.compile().map(|_| ())?;
        for rule in &self.policy {
            rule.matcher
                .compile()
                .map_err(|e| format!("policy `{}`: {e}", rule.name))?;
        }
        Ok(())
    }
}

/// Where the configuration comes from: `--config FILE`, else `keytrace.toml` at the root of the
/// repository holding `target` (or in `target` itself), else defaults.
pub fn locate(explicit: Option<&Path>, target: &Path) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    let dir = if target.is_dir() {
        target.to_path_buf()
    } else {
        target.parent()?.to_path_buf()
    };
    let candidates = [
        crate::source::git::repo::discover(&dir).and_then(|r| r.workdir().map(Path::to_path_buf)),
        Some(dir),
    ];
    candidates
        .into_iter()
        .flatten()
        .map(|d| d.join(CONFIG_FILE))
        .find(|p| p.is_file())
}

/// Load the configuration (defaults when there is none). A missing explicit file is an error.
pub fn load(explicit: Option<&Path>, target: &Path) -> anyhow::Result<(Config, Option<PathBuf>)> {
    let Some(path) = locate(explicit, target) else {
        return Ok((Config::default_with_policy(), None));
    };
    let text =
        std::fs::read_to_string(&path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok((parse(&path.display().to_string(), &text)?, Some(path)))
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
    fn empty_file_is_default() {
        let c = parse("k.toml", "").unwrap();
        assert!(c.default_policy);
        assert!(c.policy.is_empty());
    }
}
