//! CODEOWNERS glob matching without an automaton per line.
//!
//! A CODEOWNERS file can hold hundreds of thousands of lines; compiling each pattern to a regex
//! cost about 7 KB a line (1.4 GB for 200k lines). Patterns are instead kept as text in a
//! canonical form ([`canonical`]) and matched directly against a path's segments:
//!
//! - segments are separated by `/`; a segment that is exactly `**` matches zero or more path
//!   segments (a trailing one, one or more);
//! - within a segment, `*` matches any run of characters and `?` one character;
//! - `\` escapes the next character (`\*`, `\?`, `\\` are the only escapes left after
//!   canonicalisation); every other character is literal, `[ ] { }` included (GitHub does not
//!   support ranges or alternation).
//!
//! Both levels use the greedy match with one backtrack point, so a check costs at most
//! (pattern segments × path segments) segment tests, and a segment test with only `*` wildcards
//! is a left-to-right substring search.

/// A CODEOWNERS pattern body (no leading or trailing `/`) in canonical form: `**/` prepended when
/// it is not anchored, escapes reduced to `\*`, `\?` and `\\` (`\/` is a separator), runs of `**`
/// segments collapsed, and a trailing `**` written `**/*` (it needs at least one segment below).
pub(super) fn canonical(body: &str, anchored: bool) -> String {
    let mut segs: Vec<String> = Vec::new();
    if !anchored {
        segs.push("**".into());
    }
    let mut cur = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('/') => push_segment(&mut segs, std::mem::take(&mut cur)),
                Some(n @ ('*' | '?' | '\\')) => {
                    cur.push('\\');
                    cur.push(n);
                }
                Some(n) => cur.push(n),
                None => cur.push_str("\\\\"),
            },
            '/' => push_segment(&mut segs, std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    push_segment(&mut segs, cur);
    if segs.len() > 1 && segs.last().is_some_and(|s| s == "**") {
        segs.push("*".into());
    }
    segs.join("/")
}

fn push_segment(segs: &mut Vec<String>, seg: String) {
    if seg == "**" && segs.last().is_some_and(|s| s == "**") {
        return;
    }
    segs.push(seg);
}

/// What may follow the part of a path that a pattern matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tail {
    /// Nothing: the pattern matches the whole path.
    Exact,
    /// Zero or more segments: the path or one of its ancestors.
    OrBelow,
    /// One or more segments: a proper ancestor (the pattern names a directory).
    Below,
}

impl Tail {
    /// The tail as pattern segments appended to the pattern.
    fn segments(self) -> &'static str {
        match self {
            Tail::Exact => "",
            Tail::OrBelow => "**",
            Tail::Below => "**/*",
        }
    }
}

/// A segment of canonical pattern `pat` without wildcards or escapes: every path the pattern
/// matches has a segment equal to it.
pub(super) fn literal_segment(pat: &str) -> Option<&str> {
    pat.split('/').find(|seg| !seg.contains(['*', '?', '\\']))
}

/// The segment of `pat` starting at byte `at`, and where the next one starts; `None` past the
/// end.
fn segment_at(pat: &str, at: usize) -> Option<(&str, usize)> {
    let rest = pat.get(at..)?;
    match rest.find('/') {
        Some(i) => Some((&rest[..i], at + i + 1)),
        None => Some((rest, pat.len() + 1)),
    }
}

/// The segment at `at` of `pat` followed by `tail` (offsets past `pat` address the tail).
fn segment_with_tail<'a>(pat: &'a str, tail: &'a str, at: usize) -> Option<(&'a str, usize)> {
    if at <= pat.len() {
        return segment_at(pat, at);
    }
    if tail.is_empty() {
        return None;
    }
    let base = pat.len() + 1;
    segment_at(tail, at - base).map(|(seg, next)| (seg, base + next))
}

/// Whether canonical pattern `pat`, followed by `tail`, matches the path of `path` segments.
pub(super) fn matches_with(pat: &str, path: &[&str], tail: Tail) -> bool {
    let tail = tail.segments();
    let (mut p, mut s) = (0usize, 0usize);
    // After a `**`: where the pattern resumes and the path index it was last tried at.
    let mut back: Option<(usize, usize)> = None;
    loop {
        match segment_with_tail(pat, tail, p) {
            Some(("**", next)) => {
                back = Some((next, s));
                p = next;
                continue;
            }
            Some((seg, next)) if s < path.len() && segment_matches(seg, path[s]) => {
                p = next;
                s += 1;
                continue;
            }
            None if s == path.len() => return true,
            _ => {}
        }
        match back {
            Some((bp, bs)) if bs < path.len() => {
                back = Some((bp, bs + 1));
                p = bp;
                s = bs + 1;
            }
            _ => return false,
        }
    }
}

/// One pattern token within a segment.
#[derive(Clone, Copy, PartialEq)]
enum Tok {
    Lit(char),
    One,
    Star,
}

/// The tokens of a canonical segment.
fn tokens(seg: &str) -> impl Iterator<Item = Tok> + Clone + '_ {
    let mut chars = seg.chars();
    std::iter::from_fn(move || {
        Some(match chars.next()? {
            '\\' => Tok::Lit(chars.next().unwrap_or('\\')),
            '*' => Tok::Star,
            '?' => Tok::One,
            c => Tok::Lit(c),
        })
    })
}

/// Whether pattern segment `seg` matches path segment `text`.
fn segment_matches(seg: &str, text: &str) -> bool {
    if !seg.contains(['*', '?', '\\']) {
        return seg == text;
    }
    // Pieces between stars, matched greedily left to right: the leftmost place for each piece
    // is never worse, so no backtracking is needed.
    let mut pieces = pieces(seg).peekable();
    let first = pieces.next().unwrap_or("");
    if pieces.peek().is_none() {
        return match_at(first, text, 0) == Some(text.len());
    }
    let Some(mut pos) = match_at(first, text, 0) else {
        return false;
    };
    while let Some(piece) = pieces.next() {
        if pieces.peek().is_none() {
            return match_suffix(piece, text, pos);
        }
        match find(piece, text, pos) {
            Some(end) => pos = end,
            None => return false,
        }
    }
    true
}

/// The parts of `seg` between unescaped `*`s (empty parts included).
fn pieces(seg: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(seg);
    std::iter::from_fn(move || {
        let s = rest?;
        let mut escaped = false;
        for (i, c) in s.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '*' => {
                    rest = Some(&s[i + 1..]);
                    return Some(&s[..i]);
                }
                _ => {}
            }
        }
        rest = None;
        Some(s)
    })
}

/// Match `piece` (no stars) at byte `at` of `text`: where the match ends.
fn match_at(piece: &str, text: &str, at: usize) -> Option<usize> {
    let mut rest = text.get(at..)?.chars();
    let mut end = at;
    for t in tokens(piece) {
        let c = rest.next()?;
        match t {
            Tok::Lit(l) if l == c => {}
            Tok::One => {}
            _ => return None,
        }
        end += c.len_utf8();
    }
    Some(end)
}

/// The end of the leftmost match of `piece` in `text` at or after byte `from`.
fn find(piece: &str, text: &str, from: usize) -> Option<usize> {
    let hay = text.get(from..)?;
    if !piece.contains(['?', '\\']) {
        return hay.find(piece).map(|i| from + i + piece.len());
    }
    hay.char_indices()
        .map(|(i, _)| from + i)
        .chain(std::iter::once(text.len()))
        .find_map(|i| match_at(piece, text, i))
}

/// Whether `piece` matches the end of `text`, starting at or after byte `from`.
fn match_suffix(piece: &str, text: &str, from: usize) -> bool {
    let n = tokens(piece).count();
    let Some((start, _)) = text[from..].char_indices().rev().nth(n.wrapping_sub(1)) else {
        // Fewer characters left than the piece needs, unless it needs none.
        return n == 0;
    };
    match_at(piece, text, from + start) == Some(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, anchored: bool, path: &str) -> bool {
        let segs: Vec<&str> = path.split('/').collect();
        matches_with(&canonical(pattern, anchored), &segs, Tail::Exact)
    }

    #[test]
    fn canonical_forms() {
        assert_eq!(canonical("a", false), "**/a");
        assert_eq!(canonical("a/**", true), "a/**/*");
        assert_eq!(canonical("**/**/a", true), "**/a");
        assert_eq!(canonical("\\#x\\ y\\*", true), "#x y\\*");
        assert_eq!(canonical("a\\/b", true), "a/b");
        assert_eq!(canonical("\\", true), "\\\\");
        assert_eq!(canonical("**", false), "**");
    }

    #[test]
    fn stars_and_question_marks_within_a_segment() {
        assert!(m("*.rs", true, "lib.rs"));
        assert!(!m("*.rs", true, "src/lib.rs"));
        assert!(m("a*b*c", true, "abc"));
        assert!(m("a*b*c", true, "axxbyyc"));
        assert!(!m("a*b*c", true, "axxbyy"));
        assert!(m("*a*a", true, "aaa"));
        assert!(!m("*a*a", true, "a"));
        assert!(m("v?", true, "v1"));
        assert!(!m("v?", true, "v10"));
        assert!(m("é?*ü", true, "éxyzü"));
        assert!(m("*?", true, "ü"));
        assert!(!m("*?", true, ""));
        assert!(m("\\*", true, "*"));
        assert!(!m("\\*", true, "x"));
        assert!(m("*\\?*", true, "a?b"));
        assert!(!m("*\\?*", true, "ab"));
    }

    #[test]
    fn tails_match_ancestors() {
        let segs = |p: &'static str| p.split('/').collect::<Vec<_>>();
        let pat = canonical("a/b", true);
        assert!(matches_with(&pat, &segs("a/b"), Tail::OrBelow));
        assert!(matches_with(&pat, &segs("a/b/c/d"), Tail::OrBelow));
        assert!(!matches_with(&pat, &segs("a/b"), Tail::Below));
        assert!(matches_with(&pat, &segs("a/b/c"), Tail::Below));
        assert!(!matches_with(&pat, &segs("a/b/c"), Tail::Exact));
        assert!(!matches_with(&pat, &segs("a"), Tail::OrBelow));
        let pat = canonical("x", false);
        assert!(matches_with(&pat, &segs("q/x/y"), Tail::Below));
        assert!(!matches_with(&pat, &segs("q/y/x"), Tail::Below));
    }

    #[test]
    fn double_stars_cross_segments() {
        assert!(m("logs", false, "logs"));
        assert!(m("logs", false, "a/b/logs"));
        assert!(m("a/**/b", true, "a/b"));
        assert!(m("a/**/b", true, "a/x/y/b"));
        assert!(!m("a/**/b", true, "a/x/y/c"));
        assert!(m("a/**", true, "a/x"));
        assert!(!m("a/**", true, "a"));
        assert!(m("**", false, "x/y"));
        assert!(m("a/**/b/**/c", true, "a/b/b/x/c"));
    }

    /// The regex-compiled glob this matcher replaced (globset, `*` within a segment), as the
    /// reference for random patterns.
    fn reference(body: &str, anchored: bool, path: &str) -> bool {
        let glob = if anchored {
            body.to_string()
        } else {
            format!("**/{body}")
        };
        globset::GlobBuilder::new(&glob)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .map(|g| g.compile_matcher().is_match(path))
            .unwrap_or(false)
    }

    #[test]
    fn agrees_with_globset_on_random_patterns() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        const PAT: [&str; 8] = ["a", "b", "*", "?", "**", "/", "ab", "\\*"];
        const PATH: [&str; 4] = ["a", "b", "ab", "*"];
        for _ in 0..20_000 {
            let body: String = (0..1 + next(6)).map(|_| PAT[next(PAT.len())]).collect();
            let body = body.trim_matches('/');
            if body.is_empty() || body.contains("//") {
                continue;
            }
            let path: Vec<String> = (0..1 + next(4))
                .map(|_| (0..1 + next(3)).map(|_| PATH[next(PATH.len())]).collect())
                .collect();
            let path = path.join("/");
            for anchored in [true, false] {
                assert_eq!(
                    m(body, anchored, &path),
                    reference(body, anchored, &path),
                    "pattern {body:?} anchored {anchored} path {path:?}"
                );
            }
        }
    }

    #[test]
    fn hostile_patterns_stay_fast() {
        let pat = "*a".repeat(2048) + "b";
        let text = "a".repeat(255);
        let start = std::time::Instant::now();
        for _ in 0..1000 {
            assert!(!m(&pat, true, &text));
        }
        let deep = "**/x/".repeat(500) + "y";
        let path = ["x"; 200].join("/");
        for _ in 0..10 {
            assert!(!m(&deep, true, &path));
        }
        assert!(start.elapsed().as_secs() < 10, "{:?}", start.elapsed());
    }
}
