//! Two-stage matching: one aho-corasick automaton over every rule's keywords picks which rules
//! run on which windows of a blob; only those rules' regexes run, and only there. The same pass
//! collects the generic detector's prefilter hits, so no blob is searched for keywords twice.
//!
//! Regexes are compiled lazily, on a rule's first keyword hit, so that a pre-commit run that
//! touches one small file pays for the few rules it needs, not for all of them. The `regex`
//! crate guarantees linear-time search, and windows of one rule are merged before searching, so
//! each byte is searched at most once per rule: no rule can make a scan super-linear.

pub mod entropy;
pub mod noise;
pub mod samples;
pub mod test_url;
pub mod validators;

use crate::generic::{Anchor, Hit};
use crate::rules::{Rule, RuleError};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::bytes::{CaptureLocations, Regex, RegexBuilder};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

/// A rule with its lazily compiled regex.
pub struct CompiledRule {
    pub rule: Rule,
    regex: OnceLock<Regex>,
}

impl CompiledRule {
    fn regex(&self) -> &Regex {
        self.regex.get_or_init(|| {
            build_regex(&self.rule.pattern).expect("patterns are checked when rules are loaded")
        })
    }
}

fn build_regex(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .size_limit(16 << 20)
        .dfa_size_limit(8 << 20)
        .build()
}

/// Every rule of a run and the keyword automaton over them. Shared read-only by all workers.
pub struct RuleSet {
    rules: Vec<CompiledRule>,
    automaton: AhoCorasick,
    /// Keyword pattern index → indices of the rules that own that keyword.
    keyword_rules: Vec<Vec<usize>>,
    /// Keyword pattern index → what it anchors for the generic detector, and its priority
    /// there; `None` for keywords only provider rules use.
    generic_anchor: Vec<Option<(Anchor, u32)>>,
    hash: String,
}

impl RuleSet {
    /// Build the set. With `compile_now`, every regex is compiled immediately (used for user rule
    /// files and `rules check`, so that a bad pattern is reported before scanning).
    ///
    /// The keyword automaton also holds the generic detector's prefilter keywords
    /// ([`crate::generic::prefilter_keywords`]), so that one pass over a blob feeds both.
    pub fn new(rules: Vec<Rule>, compile_now: bool) -> Result<RuleSet, RuleError> {
        Self::build(rules, compile_now, true)
    }

    /// A set whose keyword pass collects nothing for the generic detector, so that scans with it
    /// run provider rules only. The generic detector's cost is measured against it
    /// (`examples/generic_bench.rs`).
    pub fn provider_only(rules: Vec<Rule>, compile_now: bool) -> Result<RuleSet, RuleError> {
        Self::build(rules, compile_now, false)
    }

    fn build(rules: Vec<Rule>, compile_now: bool, generic: bool) -> Result<RuleSet, RuleError> {
        crate::rules::check_unique_ids(&rules)?;
        let mut keyword_index: HashMap<String, usize> = HashMap::new();
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        let mut generic_anchor: Vec<Option<(Anchor, u32)>> = Vec::new();
        let generic_keywords = if generic {
            crate::generic::prefilter_keywords()
        } else {
            Vec::new()
        };
        for (priority, (word, anchor)) in generic_keywords.into_iter().enumerate() {
            keyword_index.insert(word.clone(), keywords.len());
            keywords.push(word);
            keyword_rules.push(Vec::new());
            generic_anchor.push(Some((anchor, priority as u32)));
        }
        let mut hasher = Sha256::new();
        hasher.update(crate::rules::DETECTION_CODE_HASH);
        hasher.update([u8::from(generic)]);
        // Findings carry the secret digest: another digest scheme or key is another result.
        hasher.update(crate::finding::digest::secret_digest(b"keytrace/ruleset-hash").as_bytes());
        for (i, rule) in rules.iter().enumerate() {
            if compile_now {
                build_regex(&rule.pattern).map_err(|e| {
                    RuleError::in_rule(rule, format_args!("pattern does not compile: {e}"))
                })?;
            }
            hasher.update(serde_json::to_vec(rule).unwrap_or_default());
            for kw in &rule.keywords {
                let lower = kw.to_ascii_lowercase();
                let idx = *keyword_index.entry(lower.clone()).or_insert_with(|| {
                    keywords.push(lower);
                    keyword_rules.push(Vec::new());
                    generic_anchor.push(None);
                    keywords.len() - 1
                });
                if !keyword_rules[idx].contains(&i) {
                    keyword_rules[idx].push(i);
                }
            }
        }
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            // A full DFA: with ~160 case-insensitive keywords the start-byte prefilter helps
            // little, and the DFA searches about twice as fast as the NFA (measured with
            // `examples/rule_profile.rs`); it costs a few MiB and milliseconds to build.
            .kind(Some(AhoCorasickKind::DFA))
            .build(&keywords)
            .map_err(|e| RuleError::Other {
                message: format!("keyword automaton: {e}"),
            })?;
        let rules = rules.into_iter().map(|rule| CompiledRule {
            rule,
            regex: OnceLock::new(),
        });
        Ok(RuleSet {
            rules: rules.collect(),
            automaton,
            keyword_rules,
            generic_anchor,
            hash: hex::encode(hasher.finalize()),
        })
    }

    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter().map(|r| &r.rule)
    }

    pub fn rule(&self, index: usize) -> &Rule {
        &self.rules[index].rule
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// A hash of every rule's full definition, of the detection code this binary was built
    /// from (`DETECTION_CODE_HASH`) and of the secret-digest scheme and key (through a digest
    /// of a constant, never the key itself): changes whenever a rule changes, and whenever a
    /// new build or key would report things differently, so that incremental sweeps match
    /// every blob again.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// A fresh per-worker matcher.
    pub fn matcher(&self) -> Matcher<'_> {
        Matcher {
            set: self,
            windows: Vec::new(),
            open: Vec::new(),
            generic_hits: Vec::new(),
            generic_hits_capped: false,
            locs: HashMap::new(),
        }
    }
}

/// A candidate that passed every check: which rule, and where the secret is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawMatch {
    pub rule_index: usize,
    /// Byte span of the `secret` group within the blob.
    pub secret: Range<usize>,
    /// Byte span of the whole pattern match (the secret and the context the rule demands).
    pub whole: Range<usize>,
}

/// Most generic prefilter hits kept for one blob: far more than the generic detector can turn
/// into candidates before its own cap ([`crate::generic::MAX_CANDIDATES`]), and a bound on
/// memory for a blob made of nothing but keywords.
pub const MAX_GENERIC_HITS: usize = 64 * crate::generic::MAX_CANDIDATES;

/// Per-worker matching state; buffers are reused across blobs.
pub struct Matcher<'a> {
    set: &'a RuleSet,
    windows: Vec<(usize, Range<usize>)>,
    /// Per rule, the window being grown by overlapping keyword hits (so that a blob of one
    /// keyword repeated holds one window per rule, not one per hit).
    open: Vec<Option<Range<usize>>>,
    generic_hits: Vec<Hit>,
    /// The blob held more generic prefilter hits than [`MAX_GENERIC_HITS`].
    generic_hits_capped: bool,
    locs: HashMap<usize, CaptureLocations>,
}

impl Matcher<'_> {
    /// Find every candidate secret in `blob`, deduplicated and with overlaps resolved.
    pub fn scan(&mut self, blob: &[u8]) -> Vec<RawMatch> {
        self.collect_windows(blob);
        let mut out = Vec::new();
        let windows = std::mem::take(&mut self.windows);
        for (rule_index, window) in &windows {
            self.search_window(blob, *rule_index, window.clone(), &mut out);
        }
        self.windows = windows;
        resolve_overlaps(self.set, out)
    }

    /// The generic detector's prefilter hits in the blob of the last [`Matcher::scan`]: every
    /// occurrence, overlapping, sorted by start and then priority.
    pub fn generic_hits(&self) -> &[Hit] {
        &self.generic_hits
    }

    /// Whether the last scanned blob had more generic hits than [`MAX_GENERIC_HITS`] (the rest
    /// were not collected).
    pub fn generic_hits_capped(&self) -> bool {
        self.generic_hits_capped
    }

    /// Keyword hits → merged windows per rule, sorted by (rule, start), and the generic
    /// detector's hits.
    fn collect_windows(&mut self, blob: &[u8]) {
        self.windows.clear();
        self.generic_hits.clear();
        self.generic_hits_capped = false;
        self.open.clear();
        self.open.resize(self.set.rules.len(), None);
        for hit in self.set.automaton.find_overlapping_iter(blob) {
            let pattern = hit.pattern().as_usize();
            if let Some((anchor, priority)) = self.set.generic_anchor[pattern] {
                if self.generic_hits.len() < MAX_GENERIC_HITS {
                    self.generic_hits.push(Hit {
                        span: hit.start()..hit.end(),
                        anchor,
                        priority,
                    });
                } else {
                    self.generic_hits_capped = true;
                }
            }
            for &rule_index in &self.set.keyword_rules[pattern] {
                let span = self.set.rules[rule_index].rule.max_span;
                let start = hit.start().saturating_sub(span);
                let end = (hit.end() + span).min(blob.len());
                match &mut self.open[rule_index] {
                    Some(w) if start <= w.end && w.start <= end => {
                        w.start = w.start.min(start);
                        w.end = w.end.max(end);
                    }
                    slot => {
                        if let Some(done) = slot.replace(start..end) {
                            self.windows.push((rule_index, done));
                        }
                    }
                }
            }
        }
        for (rule_index, slot) in self.open.iter_mut().enumerate() {
            if let Some(w) = slot.take() {
                self.windows.push((rule_index, w));
            }
        }
        self.generic_hits
            .sort_unstable_by_key(|h| (h.span.start, h.priority));
        self.windows.sort_by_key(|(r, w)| (*r, w.start));
        let mut merged: Vec<(usize, Range<usize>)> = Vec::with_capacity(self.windows.len());
        for (rule, w) in self.windows.drain(..) {
            match merged.last_mut() {
                Some((r, last)) if *r == rule && w.start <= last.end => {
                    last.end = last.end.max(w.end)
                }
                _ => merged.push((rule, w)),
            }
        }
        self.windows = merged;
    }

    fn search_window(
        &mut self,
        blob: &[u8],
        rule_index: usize,
        window: Range<usize>,
        out: &mut Vec<RawMatch>,
    ) {
        let compiled = &self.set.rules[rule_index];
        let regex = compiled.regex();
        let Some(group) = regex.capture_names().position(|n| n == Some("secret")) else {
            return;
        };
        let locs = self
            .locs
            .entry(rule_index)
            .or_insert_with(|| regex.capture_locations());
        let hay = &blob[..window.end];
        let mut at = window.start;
        while at <= hay.len() {
            let Some(m) = regex.captures_read_at(locs, hay, at) else {
                break;
            };
            at = if m.end() > m.start() {
                m.end()
            } else {
                m.end() + 1
            };
            let Some((s, e)) = locs.get(group) else {
                continue;
            };
            if s == e {
                continue;
            }
            if accept(&compiled.rule, &blob[s..e]) && !test_url::is_test_credential_at(blob, s..e) {
                out.push(RawMatch {
                    rule_index,
                    secret: s..e,
                    whole: m.start()..m.end(),
                });
            }
        }
    }
}

/// Entropy, validator and noise checks on one candidate.
pub fn accept(rule: &Rule, secret: &[u8]) -> bool {
    if let Some(min) = rule.min_entropy
        && entropy::shannon_entropy(secret) < min
    {
        return false;
    }
    if let Some(kind) = rule.validator
        && !validators::validate(kind, secret)
    {
        return false;
    }
    !noise::is_placeholder(secret) && !noise::is_reference(secret)
}

/// Same secret span found by several rules, or overlapping spans: keep the most specific match
/// (provider rule over generic, higher confidence, the rule that matched more context — a
/// service-account JSON around its PEM key, a connection string around its account key — then
/// the longer secret, then the earlier rule).
fn resolve_overlaps(set: &RuleSet, mut found: Vec<RawMatch>) -> Vec<RawMatch> {
    let rank = |m: &RawMatch| {
        let r = set.rule(m.rule_index);
        (
            !r.is_generic(),
            r.confidence,
            m.whole.len(),
            m.secret.len(),
            std::cmp::Reverse(m.rule_index),
        )
    };
    found.sort_by_key(|m| std::cmp::Reverse(rank(m)));
    let mut kept: Vec<RawMatch> = Vec::with_capacity(found.len());
    for m in found {
        let overlaps = kept
            .iter()
            .any(|k| k.secret.start < m.secret.end && m.secret.start < k.secret.end);
        if !overlaps {
            kept.push(m);
        }
    }
    kept.sort_by_key(|m| (m.secret.start, m.rule_index));
    kept
}

/// The hex digest of a secret (`secret_sha256`): lets reports correlate a secret across places
/// without revealing it. Keyed (HMAC-SHA256) unless plain SHA-256 was asked for; see
/// [`crate::finding::digest`].
pub fn secret_sha256(secret: &[u8]) -> String {
    crate::finding::digest::secret_digest(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ruleset_hash_covers_the_rules_and_the_detection_code() {
        let code = crate::rules::DETECTION_CODE_HASH;
        assert_eq!(code.len(), 64);
        assert!(code.bytes().all(|b| b.is_ascii_hexdigit()));
        let rules = crate::rules::embedded_rules().unwrap();
        let a = RuleSet::new(rules.clone(), false).unwrap();
        let b = RuleSet::new(rules.clone(), false).unwrap();
        assert_eq!(a.hash(), b.hash(), "deterministic");
        let mut fewer = rules.clone();
        fewer.pop();
        assert_ne!(a.hash(), RuleSet::new(fewer, false).unwrap().hash());
        let provider_only = RuleSet::provider_only(rules.clone(), false).unwrap();
        assert_ne!(a.hash(), provider_only.hash());
        let mut plain = Sha256::new();
        for rule in &rules {
            plain.update(serde_json::to_vec(rule).unwrap());
        }
        assert_ne!(
            a.hash(),
            hex::encode(plain.finalize()),
            "not the rules alone"
        );
    }
}
