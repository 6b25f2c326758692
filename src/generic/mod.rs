//! Generic credentials: assignments of secret-looking values to credential-like names.
//!
//! Provider rules find keys that announce themselves (`ghp_…`, `AKIA…`); most leaked passwords
//! do not. This detector reads the syntax around credential *names* instead of matching the
//! values. Its prefilter words, the name vocabulary (`pass`, `secret`, `token`, `key`, `auth`,
//! `cred`, `pwd`) and a few anchors (`://`, `basic`, `bearer`, `identified`, tool names), are
//! searched by the provider matcher's keyword pass ([`prefilter_keywords`]), which hands their
//! hits over; only the line around each hit is lexed, so a blob without those words costs this
//! detector nothing, and no syntax re-scans the blob.
//!
//! Flow per hit: [`assign`] (or [`special`] for URLs, auth headers, command lines and SQL) →
//! a [`Raw`] candidate with its value span → [`values::verdict`] (references, placeholders,
//! hashes, paths, weak defaults…) → [`score::confidence`] → a `Finding` with a generic rule id
//! from [`catalog`]. Candidates that overlap a provider rule's match are dropped by the caller.

mod assign;
pub mod catalog;
mod context;
pub mod eval;
mod forms;
mod lex;
mod line;
pub mod names;
pub mod score;
mod special;
pub mod values;

pub use catalog::{GenericRule, descriptors};

use crate::blob::Origin;
use crate::finding::{Finding, LineIndex, Properties, location_fingerprint, redact};
use crate::matcher::secret_sha256;
use crate::rules::Confidence;
use names::NameClass;
use std::ops::Range;
use std::sync::OnceLock;

/// Keywords that start a credential name (ASCII case-insensitive). `key` is not one of them: it
/// names a credential only after a qualifier (`api_key`, `signingKey`), so the prefilter looks
/// for the qualified spellings instead ([`names::qualified_key_keywords`]), which spares the
/// lexer every `key`, `keys`, `keyword` and `KeyError` of ordinary code.
///
/// `pw` and the misspelling stems `pasw` (`pasword`, `paswd`) and `pssw` (`pssword`) start
/// password names that hold no `pass`.
pub const NAME_KEYWORDS: &[&str] = &[
    "pass", "pwd", "pw", "pasw", "pssw", "secret", "token", "auth", "cred",
];

/// How far around a hit the lexers look: bounds the work on minified one-line files.
const MAX_REACH: usize = 2048;

/// How a candidate was written; decides the rule id for non-name syntaxes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Syntax {
    Assign,
    /// A literal compared with the name (`password == "v"`, `pwd.equals("v")`).
    Compare,
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

/// What a prefilter keyword starts: a credential name or one of the special syntaxes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Name,
    /// `key` before an assignment operator (`key=`, `Key :=`): the hit's first three bytes are
    /// the name's `key`.
    Key,
    Url,
    Scheme,
    Tool,
    Sql,
}

/// One prefilter keyword occurrence, as reported by the shared keyword pass of
/// [`crate::matcher::Matcher`]. `priority` orders keywords that start at the same byte (`mysqli`
/// before `mysql`): lower wins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub span: Range<usize>,
    pub anchor: Anchor,
    pub priority: u32,
}

/// The prefilter's keywords, lowercase, in priority order, each with what it anchors.
///
/// They are not searched by an automaton of their own: [`crate::matcher::RuleSet`] adds them to
/// the provider rules' keyword automaton (ASCII case-insensitive), so one pass over a blob serves
/// both detectors. A blob without any of these words costs the generic detector nothing.
pub fn prefilter_keywords() -> Vec<(String, Anchor)> {
    let mut words: Vec<(String, Anchor)> = Vec::new();
    let mut add = |list: &[&str], a: Anchor| {
        for w in list {
            let w = w.to_ascii_lowercase();
            if !words.iter().any(|(x, _)| *x == w) {
                words.push((w, a));
            }
        }
    };
    // Where keywords share a start (`mysqli`, `mysql`), the one listed first wins.
    add(special::CALL_KEYWORDS, Anchor::Name);
    // `secret key` before `secret`: a two-word name is read whole.
    let spaced = names::spaced_key_keywords();
    add(
        &spaced.iter().map(String::as_str).collect::<Vec<_>>(),
        Anchor::Name,
    );
    add(NAME_KEYWORDS, Anchor::Name);
    let qualified = names::qualified_key_keywords();
    add(
        &qualified.iter().map(String::as_str).collect::<Vec<_>>(),
        Anchor::Name,
    );
    add(&["://"], Anchor::Url);
    add(&["basic", "bearer"], Anchor::Scheme);
    add(special::TOOL_KEYWORDS, Anchor::Tool);
    add(&["identified"], Anchor::Sql);
    add(names::KEY_ASSIGN_KEYWORDS, Anchor::Key);
    words
}

/// Prefilter hits of a blob without a provider matcher (tests, the evaluation table, benches):
/// the keyword pass of a rule set with no provider rules.
pub fn keyword_hits(bytes: &[u8]) -> Vec<Hit> {
    static EMPTY: OnceLock<crate::matcher::RuleSet> = OnceLock::new();
    let set = EMPTY.get_or_init(|| {
        crate::matcher::RuleSet::new(Vec::new(), false).expect("an empty rule set builds")
    });
    let mut m = set.matcher();
    m.scan(bytes);
    m.generic_hits().to_vec()
}

/// Candidates of one blob, filtered and scored, without overlaps, sorted by position.
pub fn candidates(bytes: &[u8], path: &str) -> Vec<Candidate> {
    candidates_at(bytes, path, &keyword_hits(bytes))
}

/// Most candidates kept for one blob. A blob past this is full of credential-like assignments
/// (a dump, a generated file, or an attempt to hide one secret among many decoys): it is
/// reported with its first candidates, and the rest of it is not read, which bounds the time
/// and memory the detector spends on it.
pub const MAX_CANDIDATES: usize = 10_000;

/// How often one value span is judged: names that share a value (a sibling `value=` or a next
/// line read for each name on a line) would otherwise judge the same long text again and again.
const MAX_JUDGED_PER_SPAN: u8 = 4;

/// Candidates of one blob from its prefilter `hits` (all occurrences, overlapping, sorted by
/// start then priority, as [`crate::matcher::Matcher::generic_hits`] gives them).
pub fn candidates_at(bytes: &[u8], path: &str, hits: &[Hit]) -> Vec<Candidate> {
    candidates_limited(bytes, path, hits, MAX_CANDIDATES).0
}

/// [`candidates_at`] keeping at most `limit` candidates; the flag tells whether the limit cut
/// the blob short.
pub fn candidates_limited(
    bytes: &[u8],
    path: &str,
    hits: &[Hit],
    limit: usize,
) -> (Vec<Candidate>, bool) {
    if hits.is_empty() {
        return (Vec::new(), false);
    }
    let file = score::file_kind(path);
    let test_like = score::is_test_or_docs(path);
    let vendored = score::is_vendored_or_generated(path);
    let mut found: Vec<Candidate> = Vec::new();
    let mut judged = RecentSpans::default();
    let mut raws = Vec::new();
    let mut name_cursor = 0;
    let mut facts = line::LineFacts::new(0..0);
    let mut truncated = false;
    // Read the hits as a leftmost-first, non-overlapping search would: the first keyword to
    // start wins, and nothing inside it is read again; a name holding two keywords (`secretkey`)
    // is read once, from its first.
    let mut taken_to = 0;
    for hit in hits {
        if hit.span.start < taken_to {
            continue;
        }
        if found.len() >= limit {
            truncated = true;
            break;
        }
        taken_to = hit.span.end;
        let span = hit.span.clone();
        let line = &facts.range;
        if !(line.start <= span.start && span.end <= line.end) || line.is_empty() {
            facts = line::LineFacts::new(lex::line_around(bytes, span.start));
        }
        let line = &facts.range;
        let reach = line.start.max(span.start.saturating_sub(MAX_REACH))
            ..line.end.min(span.end + MAX_REACH);
        match hit.anchor {
            Anchor::Name if span.start >= name_cursor => {
                raws.extend(special::positional_call(bytes, span.clone(), &reach));
                name_cursor = assign::at_name(bytes, span, &reach, &facts, file, &mut raws);
            }
            Anchor::Key if span.start >= name_cursor => {
                let key = span.start..span.start + 3;
                name_cursor = assign::at_name(bytes, key, &reach, &facts, file, &mut raws);
            }
            Anchor::Name | Anchor::Key => {}
            Anchor::Url => raws.extend(special::url_userinfo(bytes, span, &reach)),
            Anchor::Scheme => raws.extend(special::auth_scheme(bytes, span, &reach)),
            Anchor::Tool => raws.extend(special::command_line(bytes, span, &reach)),
            Anchor::Sql => raws.extend(special::sql_identified(bytes, span, &reach, &facts)),
        }
        // Judge each candidate as it comes: only the small verdicts are kept, never the texts.
        for raw in raws.drain(..) {
            if raw.span.is_empty() || !judged.admit(&raw.span) {
                continue;
            }
            let Some(mut c) = judge(&raw, test_like) else {
                continue;
            };
            if context::refers_or_encrypted(bytes, &raw.span)
                || crate::matcher::noise::is_documented_example(&bytes[raw.span.clone()])
            {
                // A reference, a ciphertext, or a published sample (also when the value judged
                // was decoded from it, as a Basic credential is).
                continue;
            }
            if vendored || facts.range.len() > score::GENERATED_LINE {
                // Vendored, generated and minified code: reported, but below the default.
                c.confidence = Confidence::Low;
            }
            found.push(c);
        }
    }
    (resolve_overlaps(found), truncated)
}

/// The last few value spans judged and how often each was.
#[derive(Default)]
struct RecentSpans {
    ring: [(usize, usize, u8); 8],
    next: usize,
}

impl RecentSpans {
    /// Count one more judgment of `span`; false when it has had its share.
    fn admit(&mut self, span: &Range<usize>) -> bool {
        let key = (span.start, span.end);
        if let Some(slot) = self.ring.iter_mut().find(|(s, e, _)| (*s, *e) == key) {
            slot.2 = slot.2.saturating_add(1);
            return slot.2 <= MAX_JUDGED_PER_SPAN;
        }
        self.ring[self.next] = (key.0, key.1, 1);
        self.next = (self.next + 1) % self.ring.len();
        true
    }
}

/// Keep the best of overlapping candidates (specific syntaxes first, then longer spans; the
/// earlier one on a tie), sorted by position. Kept spans never overlap, so one ordered map of
/// them answers "does this one overlap a kept one?" from its two neighbours.
fn resolve_overlaps(mut found: Vec<Candidate>) -> Vec<Candidate> {
    found.sort_by_key(|c| std::cmp::Reverse((c.rule_rank(), c.span.len())));
    let mut kept: std::collections::BTreeMap<usize, Candidate> = std::collections::BTreeMap::new();
    for c in found {
        let before = kept.range(..c.span.end).next_back();
        if before.is_some_and(|(_, k)| overlaps(&k.span, &c.span)) {
            continue;
        }
        kept.insert(c.span.start, c);
    }
    kept.into_values().collect()
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
            // `if password == "admin"` is as often a check that refuses weak passwords.
            if !matches!(raw.class.kind, Kind::Password | Kind::Secret)
                || raw.syntax == Syntax::Compare
            {
                return None;
            }
            (GenericRule::WeakDefaultPassword, Confidence::Low, true)
        }
        values::Verdict::Keep
            if raw.class.loose && !values::looks_random(raw.value.trim(), raw.words.len() == 1) =>
        {
            return None;
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
    generic_findings_at(bytes, origin, &keyword_hits(bytes), &[]).0
}

/// Generic findings of one blob from its prefilter `hits`, leaving out any whose secret overlaps
/// a span in `taken` (the spans provider rules already reported: the specific rule wins). The
/// flag is true when the blob held more than [`MAX_CANDIDATES`] and the rest was not read.
pub fn generic_findings_at(
    bytes: &[u8],
    origin: &Origin,
    hits: &[Hit],
    taken: &[Range<usize>],
) -> (Vec<Finding>, bool) {
    let taken = Taken::new(taken);
    let (candidates, truncated) = candidates_limited(bytes, &origin.path, hits, MAX_CANDIDATES);
    let found: Vec<Candidate> = candidates
        .into_iter()
        .filter(|c| !taken.overlaps(&c.span))
        .collect();
    if found.is_empty() {
        return (Vec::new(), truncated);
    }
    let index = LineIndex::new(bytes);
    let findings = found
        .iter()
        .map(|c| to_finding(c, bytes, &index, origin))
        .collect();
    (findings, truncated)
}

/// Spans already reported by provider rules, sorted, for overlap questions in `O(log n)`.
struct Taken {
    /// (start, the largest end among this span and those before it), by start.
    spans: Vec<(usize, usize)>,
}

impl Taken {
    fn new(taken: &[Range<usize>]) -> Taken {
        let mut spans: Vec<(usize, usize)> = taken.iter().map(|t| (t.start, t.end)).collect();
        spans.sort_unstable();
        let mut max_end = 0;
        for s in &mut spans {
            max_end = max_end.max(s.1);
            s.1 = max_end;
        }
        Taken { spans }
    }

    /// True when some taken span overlaps `span` (`a.start < b.end && b.start < a.end`).
    fn overlaps(&self, span: &Range<usize>) -> bool {
        let n = self.spans.partition_point(|&(start, _)| start < span.end);
        n > 0 && self.spans[n - 1].1 > span.start
    }
}

fn to_finding(c: &Candidate, bytes: &[u8], index: &LineIndex, origin: &Origin) -> Finding {
    let secret_bytes = &bytes[c.span.clone()];
    let secret = String::from_utf8_lossy(secret_bytes).into_owned();
    let sha = secret_sha256(secret_bytes);
    let location = index.locate(bytes, &origin.path, c.span.start, c.span.end);
    let inline_allowed = index.inline_allowed(bytes, location.start_line);
    let mut identity = std::collections::BTreeMap::new();
    if let Some(user) = c.username.as_ref().filter(|u| !u.is_empty()) {
        identity.insert("username".to_string(), serde_json::json!(user));
    }
    let id = c.rule.id();
    let fingerprint = location_fingerprint(id, &sha, &location.path, "");
    Finding {
        rule_id: id.to_string(),
        rule_name: c.rule.name().to_string(),
        severity: c.rule.severity(),
        confidence: c.confidence,
        fails: true,
        location,
        fingerprint,
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
