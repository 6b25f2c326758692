//! Generic credentials: assignments of secret-looking values to credential-like names.
//!
//! Provider rules find keys that announce themselves (`ghp_…`, `AKIA…`); most leaked passwords
//! do not. This detector reads the syntax around credential *names* instead of matching the
//! values: one aho-corasick pass over the name vocabulary (`pass`, `secret`, `token`, `key`,
//! `auth`, `cred`, `pwd`) and a few anchors (`://`, `basic`, `bearer`, `identified`, tool names)
//! finds candidate places; only the line around each hit is lexed, so a blob without those words
//! costs one automaton pass and nothing else, and no syntax re-scans the blob.
//!
//! Flow per hit: [`assign`] (or [`special`] for URLs, auth headers, command lines and SQL) →
//! a [`Raw`] candidate with its value span → [`values::verdict`] (references, placeholders,
//! hashes, paths, weak defaults…) → [`score::confidence`] → a `Finding` with a generic rule id
//! from [`catalog`]. Candidates that overlap a provider rule's match are dropped by the caller.

mod assign;
pub mod catalog;
pub mod eval;
mod lex;
pub mod names;
pub mod score;
mod special;
pub mod values;

pub use catalog::{GenericRule, descriptors};

use crate::blob::Origin;
use crate::detect::INLINE_ALLOW;
use crate::finding::{Finding, LineIndex, Properties, fingerprint, redact};
use crate::matcher::secret_sha256;
use crate::rules::Confidence;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use names::NameClass;
use std::ops::Range;
use std::sync::OnceLock;

/// Keywords that start a credential name (ASCII case-insensitive).
pub const NAME_KEYWORDS: &[&str] = &["pass", "pwd", "secret", "token", "key", "auth", "cred"];

/// How far around a hit the lexers look: bounds the work on minified one-line files.
const MAX_REACH: usize = 2048;

/// How a candidate was written; decides the rule id for non-name syntaxes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Syntax {
    Assign,
    /// A (user, password) pair assigned to an `auth`/`credentials` name.
    UserPass,
    Xml,
    Call,
    ConnString,
    Cli,
    Sql,
    Url,
    Basic,
    Bearer,
}

/// A candidate before filtering: the value's span, the text to judge, and what named it.
#[derive(Debug, Clone)]
pub struct Raw {
    pub span: Range<usize>,
    /// The text the filters judge (the decoded password for Basic auth, else the span's text).
    pub value: String,
    pub class: NameClass,
    pub words: Vec<String>,
    pub syntax: Syntax,
    pub username: Option<String>,
}

/// A candidate that passed the filters.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub span: Range<usize>,
    pub rule: GenericRule,
    pub confidence: Confidence,
    pub weak_default: bool,
    pub username: Option<String>,
}

#[derive(Clone, Copy)]
enum Anchor {
    Name,
    Url,
    Scheme,
    Tool,
    Sql,
}

/// The three spellings of a stem that names use: `pass`, `Pass` (camelCase, PascalCase) and
/// `PASS`.
fn spellings(stem: &str) -> [String; 3] {
    let mut cap = stem.to_string();
    cap[..1].make_ascii_uppercase();
    [stem.to_string(), cap, stem.to_ascii_uppercase()]
}

/// The prefilter. Case-sensitive over explicit spellings rather than ASCII case-insensitive: it
/// lets aho-corasick use its SIMD (Teddy) prefilter, which measured 3–5× faster on real source
/// trees (docs/generic.md). The cost: a name spelled `pAssword` is not found.
fn automaton() -> &'static (AhoCorasick, Vec<Anchor>) {
    static AC: OnceLock<(AhoCorasick, Vec<Anchor>)> = OnceLock::new();
    AC.get_or_init(|| {
        let mut words: Vec<String> = Vec::new();
        let mut anchors = Vec::new();
        let mut add = |list: &[&str], a: Anchor| {
            for w in list {
                if !words.iter().any(|x| x == w) {
                    words.push(w.to_string());
                    anchors.push(a);
                }
            }
        };
        // Where keywords share a start (`mysqli`, `mysql`), the one listed first wins.
        add(special::CALL_KEYWORDS, Anchor::Name);
        for stem in NAME_KEYWORDS {
            let s = spellings(stem);
            add(&[&s[0], &s[1], &s[2]], Anchor::Name);
        }
        add(&["://"], Anchor::Url);
        add(&["basic", "Basic", "bearer", "Bearer"], Anchor::Scheme);
        add(special::TOOL_KEYWORDS, Anchor::Tool);
        add(&["identified", "IDENTIFIED", "Identified"], Anchor::Sql);
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostFirst)
            .build(&words)
            .expect("generic keywords build an automaton");
        (ac, anchors)
    })
}

/// Number of prefilter hits in a blob (for benchmarks).
pub fn keyword_hits(bytes: &[u8]) -> usize {
    automaton().0.find_iter(bytes).count()
}

/// Candidates of one blob, filtered and scored, without overlaps, sorted by position.
pub fn candidates(bytes: &[u8], path: &str) -> Vec<Candidate> {
    let (ac, anchors) = automaton();
    let file = score::file_kind(path);
    let test_like = score::is_test_or_docs(path);
    let mut raws = Vec::new();
    let mut name_cursor = 0;
    let mut line = 0..0;
    // Leftmost, non-overlapping search lets aho-corasick use its SIMD prefilter; a name holding
    // two keywords is read once, from its first.
    for hit in ac.find_iter(bytes) {
        let span = hit.start()..hit.end();
        if !(line.start <= span.start && span.end <= line.end) || line.is_empty() {
            line = lex::line_around(bytes, span.start);
        }
        let reach = line.start.max(span.start.saturating_sub(MAX_REACH))
            ..line.end.min(span.end + MAX_REACH);
        match anchors[hit.pattern().as_usize()] {
            Anchor::Name if span.start >= name_cursor => {
                raws.extend(special::positional_call(bytes, span.clone(), &reach));
                name_cursor = assign::at_name(bytes, span, &reach, file, &mut raws);
            }
            Anchor::Name => {}
            Anchor::Url => raws.extend(special::url_userinfo(bytes, span, &reach)),
            Anchor::Scheme => raws.extend(special::auth_scheme(bytes, span, &reach)),
            Anchor::Tool => raws.extend(special::command_line(bytes, span, &reach)),
            Anchor::Sql => raws.extend(special::sql_identified(bytes, span, &reach)),
        }
    }
    let mut found: Vec<Candidate> = raws.iter().filter_map(|r| judge(r, test_like)).collect();
    found.sort_by_key(|c| std::cmp::Reverse((c.rule_rank(), c.span.len())));
    let mut kept: Vec<Candidate> = Vec::with_capacity(found.len());
    for c in found {
        if !kept.iter().any(|k| overlaps(&k.span, &c.span)) {
            kept.push(c);
        }
    }
    kept.sort_by_key(|c| c.span.start);
    kept
}

impl Candidate {
    /// Specific syntaxes (URL, header, SQL...) win over plain assignments of the same span.
    fn rule_rank(&self) -> u8 {
        match self.rule {
            GenericRule::Password
            | GenericRule::Secret
            | GenericRule::ApiKey
            | GenericRule::Token
            | GenericRule::PrivateKeyMaterial
            | GenericRule::WeakDefaultPassword => 0,
            _ => 1,
        }
    }
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// Filter one raw candidate and give it a rule and a confidence.
fn judge(raw: &Raw, test_like: bool) -> Option<Candidate> {
    use names::Kind;
    let verdict = values::verdict(&raw.value, raw.class.kind, &raw.words);
    let (rule, confidence, weak) = match verdict {
        values::Verdict::Drop(_) => return None,
        values::Verdict::WeakDefault => {
            if !matches!(raw.class.kind, Kind::Password | Kind::Secret) {
                return None;
            }
            (GenericRule::WeakDefaultPassword, Confidence::Low, true)
        }
        values::Verdict::Keep => (
            GenericRule::for_candidate(raw.syntax, raw.class.kind),
            score::confidence(raw, &raw.value, test_like),
            false,
        ),
    };
    Some(Candidate {
        span: raw.span.clone(),
        rule,
        confidence,
        weak_default: weak,
        username: raw.username.clone(),
    })
}

/// Generic findings of one blob.
pub fn generic_findings(bytes: &[u8], origin: &Origin) -> Vec<Finding> {
    generic_findings_except(bytes, origin, &[])
}

/// Generic findings of one blob, leaving out any whose secret overlaps a span in `taken` (the
/// spans provider rules already reported: the specific rule wins).
pub fn generic_findings_except(
    bytes: &[u8],
    origin: &Origin,
    taken: &[Range<usize>],
) -> Vec<Finding> {
    let found: Vec<Candidate> = candidates(bytes, &origin.path)
        .into_iter()
        .filter(|c| !taken.iter().any(|t| overlaps(t, &c.span)))
        .collect();
    if found.is_empty() {
        return Vec::new();
    }
    let index = LineIndex::new(bytes);
    found
        .iter()
        .map(|c| to_finding(c, bytes, &index, origin))
        .collect()
}

fn to_finding(c: &Candidate, bytes: &[u8], index: &LineIndex, origin: &Origin) -> Finding {
    let secret_bytes = &bytes[c.span.clone()];
    let secret = String::from_utf8_lossy(secret_bytes).into_owned();
    let sha = secret_sha256(secret_bytes);
    let location = index.locate(bytes, &origin.path, c.span.start, c.span.end);
    let line = index.line_text(bytes, location.start_line);
    let inline_allowed = memchr::memmem::find(line, INLINE_ALLOW).is_some();
    let mut identity = std::collections::BTreeMap::new();
    if let Some(user) = c.username.as_ref().filter(|u| !u.is_empty()) {
        identity.insert("username".to_string(), serde_json::json!(user));
    }
    let id = c.rule.id();
    Finding {
        rule_id: id.to_string(),
        rule_name: c.rule.name().to_string(),
        severity: c.rule.severity(),
        confidence: c.confidence,
        fails: true,
        location,
        fingerprint: fingerprint(id, &sha, ""),
        props: Properties {
            provider: "generic".to_string(),
            category: "generic".to_string(),
            long_lived: c.rule.long_lived(),
            redacted: redact(&secret),
            secret_sha256: sha,
            source: origin.source,
            store: origin.store.clone(),
            generic: true,
            weak_default: c.weak_default,
            identity,
            suppressed_by: inline_allowed.then(|| "inline:keytrace:allow".to_string()),
            ..Properties::default()
        },
        secret: Some(secret),
    }
}

#[cfg(test)]
mod tests;
