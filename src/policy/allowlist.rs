//! Allowlists: path globs, rule ids, regexes on the secret and stopwords, global or per rule.
//! A finding matched by an allowlist is suppressed (kept aside, counted, listed with
//! `--show-suppressed`), never silently dropped.

use super::pattern;
use super::pattern::GlobList;
use crate::finding::Finding;
use crate::rules::text::excerpt_n;
use regex::Regex;
use serde::Deserialize;
use std::collections::HashSet;
use toml::Spanned;

/// `[allowlist]` of keytrace.toml. Patterns keep their place in the file (`Spanned`) so that a
/// bad one is reported at its line.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowlistConfig {
    /// Path globs (gitignore-like `**` supported) whose findings are ignored.
    #[serde(default)]
    pub paths: Vec<Spanned<String>>,
    /// Rule id globs (e.g. `generic-*`) that are ignored everywhere.
    #[serde(default)]
    pub rules: Vec<Spanned<String>>,
    /// Regexes; a finding whose secret matches one is ignored.
    #[serde(default)]
    pub secrets: Vec<Spanned<String>>,
    /// Words; a finding whose secret contains one (case-insensitive) is ignored.
    #[serde(default)]
    pub stopwords: Vec<Spanned<String>>,
    /// Fingerprints of findings accepted as false positives: `keytrace/v2` (this secret at
    /// this path) or `keytrace/v1` (this secret anywhere; the form written before v2).
    #[serde(default)]
    pub fingerprints: Vec<String>,
    /// Allowlists that apply to one rule (or rule glob) only.
    #[serde(default, rename = "rule")]
    pub per_rule: Vec<RuleAllowlist>,
}

/// `[[allowlist.rule]]`: an allowlist for the rules matching `id`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleAllowlist {
    pub id: Spanned<String>,
    #[serde(default)]
    pub paths: Vec<Spanned<String>>,
    #[serde(default)]
    pub secrets: Vec<Spanned<String>>,
    #[serde(default)]
    pub stopwords: Vec<Spanned<String>>,
}

/// An allowlist pattern that cannot be used: where its value starts in the file (a byte
/// offset) and a one-line message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    pub offset: usize,
    pub message: String,
}

/// A compiled allowlist.
pub struct Allowlist {
    global: Compiled,
    rules: GlobList,
    fingerprints: HashSet<String>,
    per_rule: Vec<(GlobList, Compiled)>,
}

struct Compiled {
    paths: GlobList,
    secrets: Vec<Regex>,
    stopwords: Vec<String>,
}

/// Longest regex text repeated in a suppression reason.
const REASON_REGEX: usize = 120;

fn globs(patterns: &[Spanned<String>]) -> Result<GlobList, PatternError> {
    let mut all = Vec::new();
    for p in patterns {
        let at = |message| PatternError {
            offset: p.span().start,
            message,
        };
        all.extend(pattern::path_globs(p.get_ref(), false).map_err(at)?);
    }
    pattern::glob_list(all).map_err(|message| PatternError {
        offset: patterns.first().map_or(0, |p| p.span().start),
        message,
    })
}

fn compile_parts(
    paths: &[Spanned<String>],
    secrets: &[Spanned<String>],
    stopwords: &[Spanned<String>],
) -> Result<Compiled, PatternError> {
    Ok(Compiled {
        paths: globs(paths)?,
        secrets: secrets
            .iter()
            .map(|s| {
                pattern::regex(s.get_ref()).map_err(|message| PatternError {
                    offset: s.span().start,
                    message,
                })
            })
            .collect::<Result<_, _>>()?,
        stopwords: stopwords
            .iter()
            .map(|w| w.get_ref().to_lowercase())
            .collect(),
    })
}

impl Compiled {
    fn reason(&self, f: &Finding, secret: &str) -> Option<String> {
        if self.paths.is_match(&f.location.path) {
            return Some("allowlist:path".into());
        }
        if let Some(r) = self.secrets.iter().find(|r| r.is_match(secret)) {
            let shown = excerpt_n(r.as_str(), REASON_REGEX);
            return Some(format!("allowlist:secret:{shown}"));
        }
        let lower = secret.to_lowercase();
        self.stopwords
            .iter()
            .find(|w| lower.contains(w.as_str()))
            .map(|w| format!("allowlist:stopword:{w}"))
    }
}

impl AllowlistConfig {
    /// Compile every pattern; the error is one line.
    pub fn compile(&self) -> Result<Allowlist, String> {
        self.compile_located().map_err(|e| e.message)
    }

    /// Compile every pattern; the error says where in the file the bad pattern is.
    pub fn compile_located(&self) -> Result<Allowlist, PatternError> {
        let mut per_rule = Vec::new();
        for r in &self.per_rule {
            let ids = globs(std::slice::from_ref(&r.id))?;
            per_rule.push((ids, compile_parts(&r.paths, &r.secrets, &r.stopwords)?));
        }
        Ok(Allowlist {
            global: compile_parts(&self.paths, &self.secrets, &self.stopwords)?,
            rules: globs(&self.rules)?,
            fingerprints: self.fingerprints.iter().cloned().collect(),
            per_rule,
        })
    }
}

impl Allowlist {
    /// Why `f` is allowlisted, if it is. Needs the clear-text secret (before redaction).
    pub fn reason(&self, f: &Finding) -> Option<String> {
        let secret = f.secret.as_deref().unwrap_or_default();
        if self.rules.is_match(&f.rule_id) {
            return Some(format!("allowlist:rule:{}", f.rule_id));
        }
        if !self.fingerprints.is_empty()
            && f.fingerprint_forms()
                .iter()
                .any(|form| self.fingerprints.contains(form))
        {
            return Some("allowlist:fingerprint".into());
        }
        if let Some(r) = self.global.reason(f, secret) {
            return Some(r);
        }
        self.per_rule
            .iter()
            .filter(|(ids, _)| ids.is_match(&f.rule_id))
            .find_map(|(_, c)| {
                c.reason(f, secret)
                    .map(|r| format!("{r} (rule {})", f.rule_id))
            })
    }
}
