//! Patterns users write in `keytrace.toml` (allowlist and policy globs, `[owners]` globs, secret
//! regexes): bounded in length and compiled size, built only through paths that return errors
//! (globset's `compile_matcher` panics when its regex outgrows the size limit), and reported
//! with an excerpt of the pattern, on one line.
//!
//! The length cap exists because glob compile time and the size of its automaton grow with the
//! pattern: a 100 KB glob made a scan take a minute, a 600 KB one made globset panic with 1 MB of
//! text. No real path glob comes near [`MAX_PATTERN`].

use crate::rules::text::{excerpt, one_line};
use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use regex::{Regex, RegexBuilder};

/// Longest glob accepted, in bytes.
pub const MAX_PATTERN: usize = 4096;
/// Most wildcards (`*`, `?`, `[`) in one glob. Matching time and automaton size grow with the
/// number of wildcards, not with the length: 2048 `*a` took 80 s for 600 paths, 256 take 25 ms.
pub const MAX_WILDCARDS: usize = 256;
/// Globs with more wildcards than this are matched on their own rather than in the shared set:
/// a few heavy globs in one automaton multiply its states (six distinct 256-wildcard globs in one
/// set took minutes where each alone takes milliseconds).
const POOL_WILDCARDS: usize = 16;
/// Compiled-size limit of a secret regex (regex's own default is 10 MiB).
pub const REGEX_SIZE_LIMIT: usize = 2 << 20;
/// Lazy-DFA cache limit of a secret regex.
pub const REGEX_DFA_LIMIT: usize = 2 << 20;

/// Refuse a glob longer than [`MAX_PATTERN`] bytes or with more than [`MAX_WILDCARDS`]
/// wildcards.
pub fn check_length(text: &str) -> Result<(), String> {
    if text.len() > MAX_PATTERN {
        return Err(format!(
            "glob `{}` is longer than {MAX_PATTERN} bytes",
            excerpt(text)
        ));
    }
    if wildcards(text) > MAX_WILDCARDS {
        return Err(format!(
            "glob `{}` has more than {MAX_WILDCARDS} wildcards",
            excerpt(text)
        ));
    }
    Ok(())
}

fn wildcards(text: &str) -> usize {
    text.bytes()
        .filter(|b| matches!(b, b'*' | b'?' | b'['))
        .count()
}

/// A set of globs: light ones share one automaton, heavy ones are matched one by one, so that
/// matching cost stays proportional to the total number of wildcards.
#[derive(Debug, Clone)]
pub struct GlobList {
    pooled: GlobSet,
    heavy: Vec<GlobSet>,
}

impl GlobList {
    /// Whether any glob matches `text`.
    pub fn is_match(&self, text: &str) -> bool {
        self.pooled.is_match(text) || self.heavy.iter().any(|g| g.is_match(text))
    }
}

/// Parse a glob. `literal_separator`: `*` and `?` do not match `/`.
pub fn glob(text: &str, literal_separator: bool) -> Result<Glob, String> {
    check_length(text)?;
    build(text, text, literal_separator)
}

/// A path glob as keytrace.toml reads it: a pattern without `/` matches a name at any depth,
/// so it also yields `**/pattern`.
pub fn path_globs(text: &str, literal_separator: bool) -> Result<Vec<Glob>, String> {
    let mut out = vec![glob(text, literal_separator)?];
    if !text.contains('/') {
        out.push(build(text, &format!("**/{text}"), literal_separator)?);
    }
    Ok(out)
}

/// Build `glob`, written by the user as `text` (quoted in errors).
fn build(text: &str, glob: &str, literal_separator: bool) -> Result<Glob, String> {
    GlobBuilder::new(glob)
        .literal_separator(literal_separator)
        .build()
        .map_err(|e| one_line(&format!("bad glob `{}`: {}", excerpt(text), e.kind())))
}

/// A set of globs, compiled without panicking.
pub fn glob_set(globs: impl IntoIterator<Item = Glob>) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        b.add(g);
    }
    b.build()
        .map_err(|e| one_line(&format!("globs do not compile: {}", e.kind())))
}

/// A [`GlobList`] of `globs`, compiled without panicking.
pub fn glob_list(globs: impl IntoIterator<Item = Glob>) -> Result<GlobList, String> {
    let (light, heavy): (Vec<Glob>, Vec<Glob>) = globs
        .into_iter()
        .partition(|g| wildcards(g.glob()) <= POOL_WILDCARDS);
    Ok(GlobList {
        pooled: glob_set(light)?,
        heavy: heavy
            .into_iter()
            .map(|g| glob_set([g]))
            .collect::<Result<_, _>>()?,
    })
}

/// A regex over secrets with bounded compiled size; errors on one line.
pub fn regex(text: &str) -> Result<Regex, String> {
    RegexBuilder::new(text)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_DFA_LIMIT)
        .build()
        .map_err(|e| one_line(&format!("bad secret regex `{}`: {e}", excerpt(text))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_long_globs_are_refused_with_an_excerpt() {
        let long = "a*".repeat(300_000);
        let err = glob(&long, true).unwrap_err();
        assert!(err.contains("longer than 4096 bytes"), "{err}");
        assert!(err.len() < 200, "{err}");
        assert!(glob(&"a".repeat(MAX_PATTERN), true).is_ok());
    }

    #[test]
    fn glob_errors_quote_an_excerpt_once() {
        let bad = format!("{}[", "x".repeat(3000));
        let err = glob(&bad, false).unwrap_err();
        assert!(err.len() < 200, "{err}");
        assert!(err.contains("unclosed character class"), "{err}");
    }

    #[test]
    fn regex_errors_are_one_line_and_huge_regexes_are_refused() {
        let err = regex("(unclosed").unwrap_err();
        assert!(!err.contains('\n'), "{err}");
        assert!(err.contains("unclosed group"), "{err}");
        let err = regex("(a{1000}){1000}").unwrap_err();
        assert!(!err.contains('\n'), "{err}");
        assert!(err.contains("size limit"), "{err}");
        let big = "x".repeat(5 << 20);
        let err = regex(&big).unwrap_err();
        assert!(err.len() <= 400, "{err}");
    }

    #[test]
    fn too_many_wildcards_are_refused() {
        let err = glob(&"*a".repeat(MAX_WILDCARDS + 1), true).unwrap_err();
        assert!(err.contains("more than 256 wildcards"), "{err}");
        assert!(glob(&"*a".repeat(MAX_WILDCARDS), true).is_ok());
    }

    #[test]
    fn the_heaviest_allowed_globs_match_quickly() {
        // Regression: heavy globs made allowlist matching take a minute. Distinct globs with
        // the most wildcards allowed, against paths of every length: 2048 wildcards took 80 s
        // for one glob; the heavy globs in one shared set took minutes.
        let globs = (0..8u8).map(|i| {
            let c = (b'a' + i % 3) as char;
            let star = if i % 2 == 0 { "*" } else { "?*" };
            let text = format!("{star}{c}").repeat(MAX_WILDCARDS / star.len());
            glob(&text, i % 4 < 2).unwrap()
        });
        let list = glob_list(globs).unwrap();
        assert!(list.is_match(&"a".repeat(1000)));
        assert!(!list.is_match("a"));
        let start = std::time::Instant::now();
        for len in (1..4000).step_by(20) {
            for unit in ["a", "ab", "a/", "abc"] {
                list.is_match(&unit.repeat(len / unit.len()));
            }
        }
        assert!(start.elapsed().as_secs() < 10, "{:?}", start.elapsed());
    }
}
