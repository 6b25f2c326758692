//! Expansion: a blob yields child blobs or views of itself, matched like the blob. Two kinds:
//!
//! - archive entries ([`archive`]): a blob that is a zip, tar or compressed stream yields its
//!   entries as blobs of their own, named `artifact!inner/path` (see
//!   `docs/archives-and-images.md`); [`crate::pipeline::scan_bytes`] runs this first, before
//!   the binary skip, and each entry then goes through the rest of the pipeline;
//! - decoded spans: a text blob yields views of itself — spans decoded from base64,
//!   percent-encoding, HTML entities, string escapes, joined string literals, quoted-printable,
//!   or PEM lines freed of a log or comment prefix — which are matched like the blob, and whose
//!   findings are placed back on the encoded text of the original (see `docs/encodings.md`).
//!
//! Decoding is a pipeline stage, not a feature of any source: [`crate::pipeline::scan_bytes`] hands
//! every blob's findings to [`scan::with_decoded`], which expands the blob, matches each view
//! and merges the results. Each decoder ([`decode`]) finds its own candidate spans cheaply and
//! decodes only those; [`Limits`] bound the nesting depth, the number of views and the bytes
//! decoded per blob, and every limit hit is counted in the coverage record (`decode-depth`,
//! `decode-budget`) while the scan goes on.

pub mod archive;
pub mod decode;
pub mod map;
pub mod scan;

pub use map::{MapBuilder, OffsetMap};
use std::ops::Range;

/// An encoding a view was decoded from; its name is what the `decoded` property lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    Base64,
    Base64Url,
    Percent,
    HtmlEntity,
    StringEscape,
    Concatenation,
    QuotedPrintable,
    LinePrefix,
}

impl Encoding {
    /// The name reported in the `decoded` property.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Base64 => "base64",
            Encoding::Base64Url => "base64url",
            Encoding::Percent => "percent",
            Encoding::HtmlEntity => "html-entity",
            Encoding::StringEscape => "string-escape",
            Encoding::Concatenation => "concatenation",
            Encoding::QuotedPrintable => "quoted-printable",
            Encoding::LinePrefix => "line-prefix",
        }
    }
}

/// One decoded span of a parent text: the decoded bytes and where each came from.
#[derive(Debug, Clone)]
pub struct View {
    pub encoding: Encoding,
    pub text: Vec<u8>,
    pub map: OffsetMap,
}

/// Bounds on the expansion of one blob.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Longest chain of decodings (base64 inside base64 is 2).
    pub max_depth: usize,
    /// Decoded bytes per blob, over all views and depths.
    pub max_decoded_bytes: usize,
    /// Views per blob, over all depths.
    pub max_views: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 2,
            max_decoded_bytes: 4 << 20,
            max_views: 4096,
        }
    }
}

/// What a blob's decoders may still produce, and how often they were refused.
#[derive(Debug)]
pub struct Budget {
    bytes_left: usize,
    views_left: usize,
    /// Views not produced because the bytes or views budget ran out.
    pub refused: u64,
}

impl Budget {
    pub fn new(limits: &Limits) -> Budget {
        Budget {
            bytes_left: limits.max_decoded_bytes,
            views_left: limits.max_views,
            refused: 0,
        }
    }

    /// Whether a view of about `len` decoded bytes may be produced; takes it from the budget.
    pub fn take(&mut self, len: usize) -> bool {
        if self.views_left == 0 || len > self.bytes_left {
            self.refused += 1;
            return false;
        }
        self.views_left -= 1;
        self.bytes_left -= len;
        true
    }

    /// Whether nothing more can be produced (decoders stop looking).
    pub fn exhausted(&self) -> bool {
        self.views_left == 0 || self.bytes_left == 0
    }
}

/// A view of the original blob, possibly decoded several times.
#[derive(Debug, Clone)]
pub struct Expanded {
    pub text: Vec<u8>,
    /// Encodings in the order they were undone: outermost first.
    pub chain: Vec<Encoding>,
    /// One map per decoding, outermost first; each leads to the text before it.
    maps: Vec<OffsetMap>,
}

impl Expanded {
    /// The span of the original blob that `span` of this view was decoded from.
    pub fn to_original(&self, span: Range<usize>) -> Range<usize> {
        self.maps
            .iter()
            .rev()
            .fold(span, |span, map| map.to_parent(span))
    }

    /// The `decoded` property: the chain's names, outermost first.
    pub fn chain_names(&self) -> Vec<String> {
        self.chain.iter().map(|e| e.as_str().to_string()).collect()
    }
}

/// What expanding one blob produced.
#[derive(Debug, Default)]
pub struct Expansion {
    pub views: Vec<Expanded>,
    /// Views refused by the bytes or views budget.
    pub budget_hits: u64,
    /// Views that the depth limit kept from being decoded.
    pub depth_hits: u64,
}

/// Expand `bytes` breadth-first: every decoder on the blob, then on each view, down to
/// `limits.max_depth`. Views deeper than that are only counted.
pub fn expand(bytes: &[u8], limits: &Limits) -> Expansion {
    let mut budget = Budget::new(limits);
    let mut out = Expansion::default();
    let mut level: Vec<Expanded> = Vec::new();
    for view in decode::views(bytes, &mut budget) {
        level.push(Expanded {
            text: view.text,
            chain: vec![view.encoding],
            maps: vec![view.map],
        });
    }
    let mut depth = 1;
    while !level.is_empty() {
        let mut next = Vec::new();
        for parent in &level {
            if depth >= limits.max_depth {
                // Only ask whether there would be more: a probe with its own budget.
                let mut probe = Budget::new(&Limits {
                    max_views: 1,
                    ..*limits
                });
                out.depth_hits += decode::views(&parent.text, &mut probe).len() as u64;
                continue;
            }
            for view in decode::views(&parent.text, &mut budget) {
                let mut chain = parent.chain.clone();
                chain.push(view.encoding);
                let mut maps = parent.maps.clone();
                maps.push(view.map);
                next.push(Expanded {
                    text: view.text,
                    chain,
                    maps,
                });
            }
        }
        out.views.append(&mut level);
        level = next;
        depth += 1;
    }
    out.budget_hits = budget.refused;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;

    #[test]
    fn nested_base64_is_decoded_to_the_depth_limit_and_mapped_to_the_outer_span() {
        let inner = STANDARD.encode("token: Zq8wV3nR5tY7uI9oP1aS2dF4gH6jK8l");
        let outer = STANDARD.encode(format!("value={inner}"));
        let blob = format!("data:\n  secret: {outer}\n");
        let start = blob.find(&outer).unwrap();
        let got = expand(blob.as_bytes(), &Limits::default());
        let chains: Vec<_> = got.views.iter().map(|v| v.chain_names()).collect();
        assert!(chains.contains(&vec!["base64".to_string()]), "{chains:?}");
        assert!(
            chains.contains(&vec!["base64".to_string(), "base64".to_string()]),
            "{chains:?}"
        );
        let deepest = got.views.iter().find(|v| v.chain.len() == 2).unwrap();
        let all = deepest.to_original(0..deepest.text.len());
        assert!(
            all.start >= start && all.end <= start + outer.len(),
            "{all:?}"
        );
        assert_eq!(got.depth_hits, 0);

        let shallow = expand(
            blob.as_bytes(),
            &Limits {
                max_depth: 1,
                ..Limits::default()
            },
        );
        assert!(shallow.views.iter().all(|v| v.chain.len() == 1));
        assert_eq!(shallow.depth_hits, 1);
    }

    #[test]
    fn the_byte_budget_refuses_views_and_counts_them() {
        let value = STANDARD.encode("api_key = Zq8wV3nR5tY7uI9oP1aS2dF4gH6jK8l");
        let blob = format!("a: {value}\nb: {value}\nc: {value}\n");
        let got = expand(
            blob.as_bytes(),
            &Limits {
                max_decoded_bytes: 60,
                ..Limits::default()
            },
        );
        assert_eq!(got.views.len(), 1);
        assert_eq!(got.budget_hits, 2);
    }
}
