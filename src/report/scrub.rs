//! Scrubbing: the last line of defence against clear text in a redacted report.
//!
//! Producers describe a finding with text taken from the scanned data: an MCP server's command
//! line (`tool`), a config key path, a verifier's principal, an allowlist pattern, a coverage
//! note quoting a line that failed to parse. Any of these may hold a secret the report also
//! lists. Before a redacted report is rendered, every known secret is replaced in those texts
//! by its redacted form, with one Aho-Corasick pass per text. URLs lose their credentials
//! (`https://user:token@host/…` → `https://host/…`): a remote URL from CI often holds a job token.

use super::Report;
use crate::finding::{Finding, redact};
use aho_corasick::{AhoCorasick, MatchKind};
use std::borrow::Cow;

/// Secrets shorter than this are not searched for in free text: they would match everywhere
/// and protect nothing.
const MIN_SCRUBBED_CHARS: usize = 4;

/// Replaces known secrets in text by their redacted forms.
pub struct Scrubber {
    matcher: AhoCorasick,
    shown: Vec<String>,
}

impl Scrubber {
    /// A scrubber for `secrets` (duplicates and very short ones ignored); `None` when there is
    /// nothing to look for.
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Option<Scrubber> {
        let mut list: Vec<&str> = secrets
            .into_iter()
            .filter(|s| s.chars().count() >= MIN_SCRUBBED_CHARS)
            .collect();
        list.sort_unstable();
        list.dedup();
        if list.is_empty() {
            return None;
        }
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&list)
            .ok()?;
        let shown = list.iter().map(|s| redact(s)).collect();
        Some(Scrubber { matcher, shown })
    }

    /// `text` with every known secret replaced by its redacted form.
    pub fn scrub<'t>(&self, text: &'t str) -> Cow<'t, str> {
        if !self.matcher.is_match(text) {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        self.matcher.replace_all_with(text, &mut out, |m, _, dst| {
            dst.push_str(&self.shown[m.pattern().as_usize()]);
            true
        });
        Cow::Owned(out)
    }

    fn scrub_in_place(&self, text: &mut String) {
        if let Cow::Owned(s) = self.scrub(text) {
            *text = s;
        }
    }

    fn scrub_value(&self, v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(s) => self.scrub_in_place(s),
            serde_json::Value::Array(items) => items.iter_mut().for_each(|i| self.scrub_value(i)),
            serde_json::Value::Object(map) => map.values_mut().for_each(|i| self.scrub_value(i)),
            _ => {}
        }
    }

    /// Scrub the free-text properties of a finding (not its location, hashes or fingerprint,
    /// which identify it).
    pub fn scrub_finding(&self, f: &mut Finding) {
        let p = &mut f.props;
        for text in [
            &mut p.tool,
            &mut p.config_key,
            &mut p.store,
            &mut p.principal,
            &mut p.verification,
            &mut p.policy,
            &mut p.suppressed_by,
            &mut p.owner,
            &mut p.author_name,
        ]
        .into_iter()
        .flatten()
        {
            self.scrub_in_place(text);
        }
        p.identity.values_mut().for_each(|v| self.scrub_value(v));
    }
}

/// `text` without the user-info part of any URL in it (`scheme://user:pass@host` →
/// `scheme://host`).
pub fn strip_url_credentials(text: &str) -> Cow<'_, str> {
    if !text.contains("://") || !text.contains('@') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (before, after) = rest.split_at(at + 3);
        out.push_str(before);
        let authority_end = after
            .find(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace())
            .unwrap_or(after.len());
        let authority = &after[..authority_end];
        match authority.rfind('@') {
            Some(userinfo_end) => out.push_str(&authority[userinfo_end + 1..]),
            None => out.push_str(authority),
        }
        rest = &after[authority_end..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Scrub a report about to be rendered redacted: the secrets its findings still carry are
/// replaced in every free-text field and note, and URLs lose their credentials.
pub fn scrub_report(report: &mut Report) {
    let secrets: Vec<String> = report
        .findings
        .iter()
        .chain(&report.suppressed)
        .filter_map(|f| f.secret.clone())
        .collect();
    if let Some(s) = Scrubber::new(secrets.iter().map(String::as_str)) {
        for f in report
            .findings
            .iter_mut()
            .chain(report.suppressed.iter_mut())
        {
            s.scrub_finding(f);
        }
        report
            .coverage
            .notes
            .iter_mut()
            .for_each(|n| s.scrub_in_place(n));
        report
            .scan
            .targets
            .iter_mut()
            .for_each(|t| s.scrub_in_place(t));
    }
    let strip = |text: &mut String| {
        if let Cow::Owned(s) = strip_url_credentials(text) {
            *text = s;
        }
    };
    if let Some(uri) = report.scan.repository.as_mut().and_then(|r| r.uri.as_mut()) {
        strip(uri);
    }
    report.scan.targets.iter_mut().for_each(strip);
    report.coverage.notes.iter_mut().for_each(strip);
    for f in report
        .findings
        .iter_mut()
        .chain(report.suppressed.iter_mut())
    {
        if let Some(tool) = f.props.tool.as_mut() {
            strip(tool);
        }
    }
    if let Some(sweep) = report.sweep.as_mut() {
        for r in &mut sweep.repositories {
            strip(&mut r.location);
            if let Some(e) = r.error.as_mut() {
                strip(e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "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";

    #[test]
    fn known_secrets_are_replaced_by_their_redacted_form() {
        let s = Scrubber::new([TOKEN, "abc", TOKEN]).unwrap();
        let tool = format!("mcp:gh (npx server --token {TOKEN} --x abc)");
        let out = s.scrub(&tool);
        assert!(!out.contains(TOKEN), "{out}");
        assert!(out.contains(&redact(TOKEN)));
        assert!(out.ends_with("--x abc)"), "short secrets are left alone");
        assert!(matches!(s.scrub("nothing here"), Cow::Borrowed(_)));
        assert!(Scrubber::new(["ab"]).is_none());
    }

    #[test]
    fn url_credentials_are_dropped() {
        assert_eq!(
            strip_url_credentials("https://gitlab-ci-token:glcbt-xyz@gitlab.com/g/r.git"),
            "https://gitlab.com/g/r.git"
        );
        assert_eq!(
            strip_url_credentials("mcp:db (psql postgres://u:p@h:5432/db and ftp://a@b)"),
            "mcp:db (psql postgres://h:5432/db and ftp://b)"
        );
        for plain in ["git@github.com:o/r.git", "https://github.com/o/r", "a@b://"] {
            assert_eq!(strip_url_credentials(plain), plain);
        }
    }

    #[test]
    fn a_report_keeps_no_known_secret_in_free_text() {
        let mut f = Finding {
            rule_id: "r".into(),
            rule_name: "r".into(),
            severity: crate::rules::Severity::High,
            confidence: Default::default(),
            fails: true,
            location: Default::default(),
            fingerprint: "f".into(),
            secret: Some(TOKEN.into()),
            props: Default::default(),
        };
        f.props.tool = Some(format!("mcp:gh (x {TOKEN})"));
        f.props.suppressed_by = Some(format!("allowlist:secret:{TOKEN}"));
        f.props
            .identity
            .insert("raw".into(), serde_json::json!([{ "t": TOKEN }]));
        let mut report = Report {
            findings: vec![f],
            ..Report::default()
        };
        report
            .coverage
            .notes
            .push(format!("a.toml:3: bad value `{TOKEN}`"));
        report.scan.repository = Some(crate::report::RepoInfo {
            uri: Some("https://x:y@example.com/r".into()),
            ..Default::default()
        });
        scrub_report(&mut report);
        let text = serde_json::to_string(&report).unwrap();
        let without_secret_field = text.replacen(&format!("\"secret\":\"{TOKEN}\""), "", 1);
        assert!(!without_secret_field.contains(TOKEN), "{text}");
        assert!(!text.contains("x:y@"), "{text}");
    }
}
