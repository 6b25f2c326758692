//! Allowlists: path globs, rule ids, regexes on the secret and stopwords, global or per rule.
//! A finding matched by an allowlist is suppressed (kept aside, counted, listed with
//! `--show-suppressed`), never silently dropped.

use crate::finding::Finding;
use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::Regex;
use serde::Deserialize;

/// `[allowlist]` of keytrace.toml.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowlistConfig {
    /// Path globs (gitignore-like `**` supported) whose findings are ignored.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Rule id globs (e.g. `generic-*`) that are ignored everywhere.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Regexes; a finding whose secret matches one is ignored.
    #[serde(default)]
    pub secrets: Vec<String>,
    /// Words; a finding whose secret contains one (case-insensitive) is ignored.
    #[serde(default)]
    pub stopwords: Vec<String>,
    /// Fingerprints (`keytrace/v1`) of findings accepted as false positives.
    #[serde(default)]
    pub fingerprints: Vec<String>,
    /// Allowlists that apply to one rule (or rule glob) only.
    #[serde(default, rename = "rule")]
    pub per_rule: Vec<RuleAllowlist>,
}

/// `[[allowlist.rule]]`: an allowlist for the rules matching `id`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleAllowlist {
    pub id: String,
    #[serde(default)]
    pub paths: Vec<String>,
    #[serde(default)]
    pub secrets: Vec<String>,
    #[serde(default)]
    pub stopwords: Vec<String>,
}

/// A compiled allowlist.
pub struct Allowlist {
    global: Compiled,
    rules: GlobSet,
    fingerprints: Vec<String>,
    per_rule: Vec<(GlobSet, Compiled)>,
}

struct Compiled {
    paths: GlobSet,
    secrets: Vec<Regex>,
    stopwords: Vec<String>,
}

fn globs(patterns: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        b.add(Glob::new(p).map_err(|e| format!("bad glob `{p}`: {e}"))?);
        if !p.contains('/') {
            b.add(Glob::new(&format!("**/{p}")).map_err(|e| format!("bad glob `{p}`: {e}"))?);
        }
    }
    b.build().map_err(|e| e.to_string())
}

fn compile_parts(
    paths: &[String],
    secrets: &[String],
    stopwords: &[String],
) -> Result<Compiled, String> {
    Ok(Compiled {
        paths: globs(paths)?,
        secrets: secrets
            .iter()
            .map(|s| Regex::new(s).map_err(|e| format!("bad secret regex `{s}`: {e}")))
            .collect::<Result<_, _>>()?,
        stopwords: stopwords.iter().map(|w| w.to_lowercase()).collect(),
    })
}

impl Compiled {
    fn reason(&self, f: &Finding, secret: &str) -> Option<String> {
        if self.paths.is_match(&f.location.path) {
            return Some("allowlist:path".into());
        }
        if let Some(r) = self.secrets.iter().find(|r| r.is_match(secret)) {
            return Some(format!("allowlist:secret:{}", r.as_str()));
        }
        let lower = secret.to_lowercase();
        self.stopwords
            .iter()
            .find(|w| lower.contains(w.as_str()))
            .map(|w| format!("allowlist:stopword:{w}"))
    }
}

impl AllowlistConfig {
    pub fn compile(&self) -> Result<Allowlist, String> {
        let mut per_rule = Vec::new();
        for r in &self.per_rule {
            let ids = globs(std::slice::from_ref(&r.id))?;
            per_rule.push((ids, compile_parts(&r.paths, &r.secrets, &r.stopwords)?));
        }
        Ok(Allowlist {
            global: compile_parts(&self.paths, &self.secrets, &self.stopwords)?,
            rules: globs(&self.rules)?,
            fingerprints: self.fingerprints.clone(),
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
        if self.fingerprints.contains(&f.fingerprint) {
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
