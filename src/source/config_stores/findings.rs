//! Leaves → findings. Each value is run through the provider rules on its own; where none
//! matched, a value assigned to a credential-like name that looks random is reported as
//! `config-store-named-secret`. References to secret managers are counted, never reported.
//! Locations point into the file: a match is looked up as written, near its value.

use super::locate::Locator;
use super::walk::Leaf;
use crate::blob::Origin;
use crate::coverage::Coverage;
use crate::finding::{Finding, LineIndex};
use crate::matcher::entropy::shannon_entropy;
use crate::matcher::noise::{is_placeholder, is_reference, reference_kind};
use crate::matcher::{Matcher, RuleSet};
use crate::rules::{Confidence, Rule, Severity};
use std::ops::Range;

/// Rule id of a credential-named, random-looking value that no provider rule matched.
pub const NAMED_SECRET_ID: &str = "config-store-named-secret";

/// The descriptor of `config-store-named-secret`, for SARIF metadata and `rules list`.
pub fn descriptors() -> Vec<Rule> {
    vec![Rule {
        id: NAMED_SECRET_ID.to_string(),
        name: "Secret in a config store".to_string(),
        provider: "config-store".to_string(),
        category: "generic".to_string(),
        keywords: Vec::new(),
        pattern: r"(?P<secret>\S{12,})".to_string(),
        min_entropy: Some(MIN_ENTROPY),
        validator: None,
        long_lived: true,
        severity: Severity::High,
        confidence: Confidence::Medium,
        max_span: 512,
        description: "A random-looking literal value under a credential-like key (`*_API_KEY`, \
            `*_TOKEN`, `*_SECRET`, `password`, `auth`) of a known credential or AI-agent config \
            file (MCP servers, `.env`, docker, kubeconfig, cloud CLIs). No provider format \
            matched, so the kind of key is unknown; `config_key` names where it sits."
            .to_string(),
        remediation: "Rotate the credential, then replace the literal with a reference the tool \
            resolves at run time (an environment variable, `op://`, a secret manager) so the \
            file holds no secret."
            .to_string(),
        examples: Vec::new(),
        negative_examples: Vec::new(),
        origin: None,
    }]
}

const MIN_ENTROPY: f64 = 3.0;
const MIN_LEN: usize = 12;

/// Everything the findings of one file share.
pub struct Ctx<'a> {
    pub set: &'a RuleSet,
    pub bytes: &'a [u8],
    pub index: &'a LineIndex,
    pub origin: &'a Origin,
    pub coverage: &'a Coverage,
    pub store: &'static str,
}

/// Findings of one leaf. `base` holds the plain-text findings of the whole file, sorted by
/// position: those inside the value as written are claimed (given the leaf's key path) instead
/// of scanning again. A value that is decoded or not written verbatim is matched on its own.
/// `cursor` is where the previous leaf was found; values are looked up from there first, so
/// repeated values point at their own line. `locator` answers each look-up without reading the
/// file again.
pub fn leaf_findings(
    ctx: &Ctx<'_>,
    matcher: &mut Matcher<'_>,
    leaf: &Leaf,
    tool: Option<String>,
    locator: &mut Locator<'_>,
    cursor: &mut usize,
    base: &mut [(Finding, Claim)],
) -> Vec<Finding> {
    let written = leaf.anchor.as_deref().unwrap_or(&leaf.text);
    let span = locator.value(written, *cursor);
    if let Some(span) = &span {
        *cursor = span.start;
    }
    let verbatim = span
        .as_ref()
        .is_some_and(|s| ctx.bytes.get(s.clone()) == Some(written.as_bytes()));
    if let Some(span) = &span {
        let claimed = claim(ctx, leaf, &tool, span.clone(), base);
        // A decoded value supersedes whatever the plain scan saw in its encoding.
        if claimed && leaf.anchor.is_none() && verbatim {
            return Vec::new();
        }
    }
    // A value written verbatim was already matched by the plain scan; only decoded or escaped
    // values need the matcher again.
    let raw = if verbatim && leaf.anchor.is_none() {
        Vec::new()
    } else {
        matcher.scan(leaf.text.as_bytes())
    };
    let mut out = Vec::new();
    for m in &raw {
        let rule = ctx.set.rule(m.rule_index);
        // A byte pattern may start or end inside a character: never slice the text there.
        let secret = String::from_utf8_lossy(&leaf.text.as_bytes()[m.secret.clone()]);
        let at = locate(ctx.bytes, locator, &secret, leaf, span.clone());
        let mut f = finding(ctx, leaf, rule, &secret, at);
        // A value not written verbatim (a PEM key in an indented block scalar) whose secret the
        // text rules already reported: one finding, which gets the key path.
        if leaf.anchor.is_none() && adopt(ctx, leaf, &tool, &f, span.as_ref(), base) {
            continue;
        }
        f.props.tool = tool.clone();
        crate::attribution::apply_identity(&mut f, leaf.text.as_bytes(), m.secret.clone());
        out.push(f);
    }
    if !raw.is_empty() {
        return out;
    }
    if let Some(kind) = reference(&leaf.text) {
        ctx.coverage.reference(kind);
        return out;
    }
    if named_secret(leaf) {
        let rule = &descriptors()[0];
        let at = locate(ctx.bytes, locator, &leaf.text, leaf, span);
        let mut f = finding(ctx, leaf, rule, &leaf.text, at);
        f.props.tool = tool;
        out.push(f);
    }
    out
}

/// What became of a plain-text finding of a store file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Inside no value seen so far.
    Free,
    /// Inside a value: carries that value's key path.
    Claimed,
    /// Inside an encoded value, which was decoded and scanned instead.
    Superseded,
}

/// Give the leaf's key path, store and tool to every unclaimed plain-text finding inside
/// `span` (or, for a decoded leaf, supersede them); true when there was one.
fn claim(
    ctx: &Ctx<'_>,
    leaf: &Leaf,
    tool: &Option<String>,
    span: Range<usize>,
    base: &mut [(Finding, Claim)],
) -> bool {
    let start = ctx.index.position(ctx.bytes, span.start);
    let end = ctx.index.position(ctx.bytes, span.end);
    let mut any = false;
    // `base` is sorted by start: only the findings that start inside the span are looked at.
    let first = base.partition_point(|(f, _)| start_of(f) < start);
    let inside = base[first..]
        .iter_mut()
        .take_while(|(f, _)| start_of(f) <= end);
    for (f, state) in inside.filter(|(_, c)| *c == Claim::Free) {
        let l = &f.location;
        if (l.end_line, l.end_column) <= end {
            any = true;
            if leaf.anchor.is_some() {
                *state = Claim::Superseded;
                continue;
            }
            f.props.config_key = Some(leaf.key.clone());
            f.props.store = Some(store_of(ctx, leaf));
            f.props.tool = tool.clone();
            *state = Claim::Claimed;
        }
    }
    any
}

/// Whether a plain-text finding that starts inside the value (as located) holds `f`'s secret
/// (same canonical digest); if it is still free, it is given the leaf's key path.
fn adopt(
    ctx: &Ctx<'_>,
    leaf: &Leaf,
    tool: &Option<String>,
    f: &Finding,
    value: Option<&Range<usize>>,
    base: &mut [(Finding, Claim)],
) -> bool {
    let Some(value) = value else {
        return false;
    };
    let from = ctx.index.position(ctx.bytes, value.start);
    let to = ctx.index.position(ctx.bytes, value.end);
    let Some((held, state)) = base.iter_mut().find(|(b, c)| {
        *c != Claim::Superseded
            && b.props.secret_sha256 == f.props.secret_sha256
            && (from..=to).contains(&start_of(b))
    }) else {
        return false;
    };
    if *state == Claim::Free {
        held.props.config_key = Some(leaf.key.clone());
        held.props.store = Some(store_of(ctx, leaf));
        held.props.tool = tool.clone();
        *state = Claim::Claimed;
    }
    true
}

/// Where a finding starts: (line, column), the order `base` is sorted in.
pub fn start_of(f: &Finding) -> (usize, usize) {
    (f.location.start_line, f.location.start_column)
}

/// The store reported for a leaf: its own (Kubernetes `Secret`), the origin's, else the file's.
pub fn store_of(ctx: &Ctx<'_>, leaf: &Leaf) -> String {
    match (leaf.store, &ctx.origin.store) {
        (Some(s), _) => s.to_string(),
        (None, Some(s)) => s.clone(),
        (None, None) => ctx.store.to_string(),
    }
}

/// The kind of reference a value holds: a secret manager, or `${VAR}` (`env-var`).
fn reference(text: &str) -> Option<&'static str> {
    if let Some(kind) = reference_kind(text) {
        return Some(kind);
    }
    let t = text.trim();
    let var = (t.starts_with("${") && t.ends_with('}'))
        || (t.starts_with("$env:") || t.starts_with("${env:"))
        || (t.starts_with('$')
            && t[1..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_'));
    (var && t.len() > 1).then_some("env-var")
}

/// A credential-like name holding a random-looking literal.
fn named_secret(leaf: &Leaf) -> bool {
    let v = leaf.text.trim();
    if credential_name(&leaf.name) && v.contains("PRIVATE KEY-----") {
        return true;
    }
    (leaf.password || credential_name(&leaf.name))
        && v.len() >= MIN_LEN
        && !v.contains(char::is_whitespace)
        && shannon_entropy(v.as_bytes()) >= MIN_ENTROPY
        && !is_placeholder(v.as_bytes())
        && !is_reference(v.as_bytes())
}

/// `*_API_KEY`, `*_TOKEN`, `*_SECRET`, `password`, `auth`, `client-key-data`...
pub fn credential_name(name: &str) -> bool {
    let words = split_words(name);
    let has = |w: &str| words.iter().any(|x| x == w);
    const STRONG: &[&str] = &[
        "password",
        "passwd",
        "pwd",
        "pass",
        "secret",
        "token",
        "auth",
        "apikey",
        "credential",
        "credentials",
        "authtoken",
        "pat",
        "passphrase",
    ];
    // Run-together names: `identitytoken`, `clientsecret`, `dbpassword`.
    const SUFFIXES: &[&str] = &["token", "secret", "password", "passwd", "apikey"];
    let run_together = words
        .iter()
        .any(|w| SUFFIXES.iter().any(|s| w.len() > s.len() && w.ends_with(s)));
    if run_together || STRONG.iter().any(|w| has(w)) {
        return !["path", "file", "url", "type", "name", "id"]
            .iter()
            .any(|w| words.last().is_some_and(|l| l == w));
    }
    // `key` counts when qualified: api_key, access_key, private_key, client-key...
    const KEY_QUALIFIERS: &[&str] = &[
        "api",
        "access",
        "private",
        "client",
        "signing",
        "encryption",
        "master",
        "secret",
        "service",
        "account",
        "license",
    ];
    words
        .windows(2)
        .any(|w| w[1] == "key" && KEY_QUALIFIERS.contains(&w[0].as_str()))
}

/// Lowercase words of a name: split at `_`, `-`, `.`, `/`, `:` and camelCase boundaries.
fn split_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// Where `secret` sits in the file: as written inside its value (else near it), else the
/// (encoded) value, else the start of the file.
fn locate(
    bytes: &[u8],
    locator: &mut Locator<'_>,
    secret: &str,
    leaf: &Leaf,
    value: Option<Range<usize>>,
) -> Range<usize> {
    if leaf.anchor.is_none() {
        let inside = value.as_ref().and_then(|v| {
            memchr::memmem::find(&bytes[v.clone()], secret.as_bytes())
                .map(|i| v.start + i..v.start + i + secret.len())
        });
        let from = value.as_ref().map_or(0, |v| v.start);
        if let Some(at) = inside.or_else(|| locator.find(secret.as_bytes(), from)) {
            return at;
        }
    }
    match (value, &leaf.anchor) {
        (Some(v), Some(_)) => v,
        _ => 0..0,
    }
}

fn finding(ctx: &Ctx<'_>, leaf: &Leaf, rule: &Rule, secret: &str, span: Range<usize>) -> Finding {
    let location = ctx
        .index
        .locate(ctx.bytes, &ctx.origin.path, span.start, span.end);
    let allowed = ctx.index.inline_allowed(ctx.bytes, location.start_line);
    let mut f = crate::detect::new_finding(
        rule,
        secret,
        location,
        allowed,
        ctx.origin.source,
        Some(store_of(ctx, leaf)),
    );
    f.props.config_key = Some(leaf.key.clone());
    if let Some(user) = &leaf.username {
        f.props
            .identity
            .insert("username".to_string(), serde_json::json!(user));
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_names() {
        for n in [
            "OPENAI_API_KEY",
            "GITHUB_TOKEN",
            "client_secret",
            "password",
            "auth",
            "apiKey",
            "client-key-data",
            "_authToken",
            "aws_secret_access_key",
            "identitytoken",
            "CLIENTSECRET",
        ] {
            assert!(credential_name(n), "{n}");
        }
        for n in [
            "command",
            "url",
            "token_file",
            "password_path",
            "keyboard",
            "sortKey",
            "name",
        ] {
            assert!(!credential_name(n), "{n}");
        }
    }

    #[test]
    fn a_match_that_splits_a_character_does_not_panic() {
        // A user rule on bytes matching from the middle of `é` (C3 A9), inside an escaped JSON
        // value, which is matched on its decoded text.
        let rules = crate::rules::parse_rule_file(
            "odd.toml",
            r#"[[rules]]
id = "odd-bytes"
name = "Odd"
provider = "odd"
category = "test"
keywords = ["kq"]
pattern = '(?-u)(?P<secret>\xa9Kq[a-z0-9]{10})'
long_lived = false
severity = "low"
description = "d"
remediation = "r"
"#,
        )
        .unwrap();
        let set = RuleSet::new(rules, true).unwrap();
        let mut matcher = set.matcher();
        let origin = Origin {
            path: ".mcp.json".into(),
            ..Origin::default()
        };
        let coverage = Coverage::default();
        let text = br#"{"k": "\u00e9Kq7x3m9p2w4z\n"}"#;
        let found = super::super::structured_scan(&set, &mut matcher, text, &origin, &coverage)
            .expect("a store");
        assert_eq!(found.len(), 1);
        assert!(found[0].location.start_line >= 1);
    }

    #[test]
    fn references_are_recognised() {
        assert_eq!(reference("${GITHUB_TOKEN}"), Some("env-var"));
        assert_eq!(reference("$TOKEN"), Some("env-var"));
        assert_eq!(reference("op://vault/item/field"), Some("1password"));
        assert_eq!(reference("plain"), None);
    }
}
