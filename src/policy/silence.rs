//! A policy that silences everything turns every scan into a false "clean". Such a policy is
//! usually a typo (`paths = ["**"]` for `["**/fixtures/**"]`) or a planted `keytrace.toml` in a
//! repository; either way the user must hear about it.
//!
//! Two moments: [`load_warnings`] looks at the configuration itself (does an allowlist pattern
//! match a handful of unrelated probe paths, rule ids and secrets? does the first policy rule that
//! matches every finding set `fail = false`?), and [`apply_warning`] looks at the outcome (did
//! the allowlist suppress every finding, or did user policy keep every finding from failing?).
//! Both return one-line messages; the caller prints them.

use super::allowlist::{AllowlistConfig, RuleAllowlist};
use super::config::Config;
use super::pattern;
use super::rules::{OneOrMany, PolicyMatch, PolicyRule};
use crate::finding::Finding;
use crate::rules::Severity;
use crate::rules::text::excerpt;
use toml::Spanned;

/// Paths with nothing in common: a pattern matching all of them matches every path.
const PROBE_PATHS: [&str; 5] = ["a", "x/y.env", ".env", "src/deep/er/main.rs", "Z9_-~"];
/// Rule ids with nothing in common.
const PROBE_RULES: [&str; 4] = ["a", "aws-access-key-id", "generic-password", "zz-9"];
/// Secrets with nothing in common.
const PROBE_SECRETS: [&str; 5] = [
    "a",
    "AKIAY34FZKBOKMUTVV7A",
    "ghp_Qm3Zr8TnVb2Lx9KcWp4Hs7Jd1Fg6Ya0Abc",
    "p@ss w0rd!\n",
    "-----BEGIN PRIVATE KEY-----",
];

/// Fewest findings for which "all were silenced" is worth a warning.
pub const MIN_SILENCED: usize = 2;

/// Warnings about patterns and policy rules of `config` that silence everything.
pub fn load_warnings(config: &Config) -> Vec<String> {
    let file = config.source.as_deref().unwrap_or("keytrace.toml");
    let mut out = Vec::new();
    if let Some(what) = allowlist_silences(&config.allowlist) {
        out.push(format!("{file}: allowlist {what}; nothing can be reported"));
    }
    if let Some(name) = policy_silences(&config.policy) {
        out.push(format!(
            "{file}: policy `{}` matches every finding and sets fail = false; no finding can \
             fail the run",
            excerpt(&name)
        ));
    }
    out
}

/// A warning when the policy silenced every one of `findings` (at least [`MIN_SILENCED`]):
/// `allowlisted` of them were suppressed by the allowlist in this run, and `user_decided` of the
/// rest were kept from failing by a user policy rule.
pub fn apply_warning(
    file: Option<&str>,
    findings: &[Finding],
    allowlisted: usize,
    user_decided: usize,
) -> Option<String> {
    let file = file.unwrap_or("keytrace.toml");
    let total = findings.len();
    if total < MIN_SILENCED {
        return None;
    }
    if allowlisted == total {
        return Some(format!(
            "{file}: the allowlist suppressed all {total} findings; nothing was reported"
        ));
    }
    let open = findings
        .iter()
        .filter(|f| f.props.suppressed_by.is_none())
        .count();
    if open > 0 && user_decided == open && findings.iter().all(|f| !f.fails) {
        return Some(format!(
            "{file}: policy kept all {open} reported findings from failing the run"
        ));
    }
    None
}

/// What part of the allowlist matches everything, described for a warning.
fn allowlist_silences(a: &AllowlistConfig) -> Option<String> {
    if let Some(p) = a
        .rules
        .iter()
        .find(|p| glob_matches_all(p, false, &PROBE_RULES))
    {
        return Some(format!(
            "rule `{}` matches every rule",
            excerpt(p.get_ref())
        ));
    }
    if let Some(what) = parts_silence(&a.paths, &a.secrets, &a.stopwords) {
        return Some(what);
    }
    a.per_rule
        .iter()
        .filter(|r| glob_matches_all(&r.id, false, &PROBE_RULES))
        .find_map(|r: &RuleAllowlist| {
            parts_silence(&r.paths, &r.secrets, &r.stopwords)
                .map(|what| format!("for rule `{}`: {what}", excerpt(r.id.get_ref())))
        })
}

fn parts_silence(
    paths: &[Spanned<String>],
    secrets: &[Spanned<String>],
    stopwords: &[Spanned<String>],
) -> Option<String> {
    if let Some(p) = paths
        .iter()
        .find(|p| glob_matches_all(p, true, &PROBE_PATHS))
    {
        return Some(format!(
            "path `{}` matches every path",
            excerpt(p.get_ref())
        ));
    }
    let all_secrets = |s: &&Spanned<String>| {
        pattern::regex(s.get_ref()).is_ok_and(|r| PROBE_SECRETS.iter().all(|p| r.is_match(p)))
    };
    if let Some(s) = secrets.iter().find(all_secrets) {
        return Some(format!(
            "secret `{}` matches every secret",
            excerpt(s.get_ref())
        ));
    }
    let all_words = |w: &&Spanned<String>| {
        let w = w.get_ref().to_lowercase();
        PROBE_SECRETS.iter().all(|p| p.to_lowercase().contains(&w))
    };
    stopwords
        .iter()
        .find(all_words)
        .map(|w| format!("stopword `{}` is in every secret", excerpt(w.get_ref())))
}

/// Whether glob `p` (a path glob when `path`) matches every probe.
fn glob_matches_all(p: &Spanned<String>, path: bool, probes: &[&str]) -> bool {
    let globs = if path {
        pattern::path_globs(p.get_ref(), false)
    } else {
        pattern::glob(p.get_ref(), false).map(|g| vec![g])
    };
    globs
        .and_then(pattern::glob_list)
        .is_ok_and(|set| probes.iter().all(|probe| set.is_match(probe)))
}

/// The name of the first user policy rule that matches every finding, when it sets
/// `fail = false` and no earlier rule can make a finding fail.
fn policy_silences(rules: &[PolicyRule]) -> Option<String> {
    for rule in rules {
        if rule.fail == Some(true) {
            return None;
        }
        if matches_every_finding(&rule.matcher) {
            return (rule.fail == Some(false)).then(|| rule.name.clone());
        }
    }
    None
}

fn matches_every_finding(m: &PolicyMatch) -> bool {
    let all = |field: &Option<Spanned<OneOrMany>>, path: bool, probes: &[&str]| {
        field.as_ref().is_none_or(|v| {
            let items = v.get_ref().items();
            let globs: Result<Vec<_>, _> = items
                .iter()
                .map(|i| {
                    if path {
                        pattern::path_globs(i, false)
                    } else {
                        pattern::glob(i, false).map(|g| vec![g])
                    }
                })
                .collect();
            globs
                .and_then(|g| pattern::glob_list(g.into_iter().flatten()))
                .is_ok_and(|set| probes.iter().all(|p| set.is_match(p)))
        })
    };
    m.category.is_none()
        && m.provider.is_none()
        && m.identity_class.is_none()
        && m.source.is_none()
        && m.long_lived.is_none()
        && m.min_severity.is_none_or(|s| s == Severity::Info)
        && m.max_severity.is_none_or(|s| s == Severity::Critical)
        && all(&m.rule, false, &PROBE_RULES)
        && all(&m.path, true, &PROBE_PATHS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::config::parse;

    fn warnings(text: &str) -> Vec<String> {
        load_warnings(&parse("k.toml", text).unwrap())
    }

    #[test]
    fn allowlists_that_match_everything_warn_once() {
        for text in [
            "[allowlist]\npaths = [\"**\"]",
            "[allowlist]\npaths = [\"*\"]",
            "[allowlist]\npaths = [\"fixtures/**\", \"**/*\"]",
            "[allowlist]\nsecrets = [\".*\"]",
            "[allowlist]\nsecrets = [\"(?s).\"]",
            "[allowlist]\nstopwords = [\"\"]",
            "[allowlist]\nrules = [\"*\"]",
            "[[allowlist.rule]]\nid = \"*\"\npaths = [\"**\"]",
        ] {
            let w = warnings(text);
            assert_eq!(w.len(), 1, "{text}: {w:?}");
            assert!(w[0].starts_with("k.toml: allowlist "), "{}", w[0]);
            assert!(w[0].ends_with("; nothing can be reported"), "{}", w[0]);
        }
    }

    #[test]
    fn ordinary_allowlists_do_not_warn() {
        for text in [
            "[allowlist]\npaths = [\"**/fixtures/**\", \"*.md\", \"test/*\"]",
            "[allowlist]\nsecrets = [\"EXAMPLE\", \"^AKIA\"]",
            "[allowlist]\nstopwords = [\"example\", \"a\"]",
            "[allowlist]\nrules = [\"generic-*\"]",
            "[[allowlist.rule]]\nid = \"aws-*\"\npaths = [\"**\"]",
            "[[allowlist.rule]]\nid = \"*\"\npaths = [\"docs/**\"]",
        ] {
            assert!(warnings(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn a_universal_policy_rule_that_never_fails_warns() {
        let w = warnings("[[policy]]\nname = \"quiet\"\nfail = false\n");
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].contains("policy `quiet` matches every finding"),
            "{}",
            w[0]
        );
        let w = warnings("[[policy]]\nname = \"q\"\nfail = false\nmatch = { path = \"**\" }\n");
        assert_eq!(w.len(), 1, "{w:?}");
        // An earlier rule that fails some findings, or a narrower rule: no warning.
        let text = "[[policy]]\nname = \"aws\"\nfail = true\nmatch = { provider = \"aws\" }\n\
                    [[policy]]\nname = \"rest\"\nfail = false\n";
        assert!(warnings(text).is_empty());
        let text = "[[policy]]\nname = \"low\"\nfail = false\nmatch = { max_severity = \"low\" }\n";
        assert!(warnings(text).is_empty());
        // A universal rule that only sets severity decides everything but silences nothing.
        let text = "[[policy]]\nname = \"sev\"\nseverity = \"low\"\n[[policy]]\nname = \"q\"\nfail = false\n";
        assert!(warnings(text).is_empty());
    }

    #[test]
    fn apply_warns_when_everything_was_silenced() {
        let mut a = crate::attribution::owners_file::tests::finding("r", "p", "a");
        a.props.suppressed_by = Some("allowlist:path".into());
        let b = a.clone();
        let w = apply_warning(Some("k.toml"), &[a.clone(), b.clone()], 2, 0).unwrap();
        assert_eq!(
            w,
            "k.toml: the allowlist suppressed all 2 findings; nothing was reported"
        );
        assert!(apply_warning(None, &[a.clone()], 1, 0).is_none());
        assert!(apply_warning(None, &[a.clone(), b.clone()], 1, 0).is_none());
        let mut open = crate::attribution::owners_file::tests::finding("r", "p", "b");
        open.fails = false;
        let w = apply_warning(None, &[open.clone(), open.clone()], 0, 2).unwrap();
        assert!(
            w.contains("kept all 2 reported findings from failing"),
            "{w}"
        );
        open.fails = true;
        assert!(apply_warning(None, &[open.clone(), open], 0, 2).is_none());
    }
}
