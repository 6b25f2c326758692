//! CODEOWNERS: who owns a path, with GitHub's matching semantics.
//!
//! Text in, `owners_for(path)` out. The file is read the way GitHub reads it: the last matching
//! line wins; patterns follow gitignore (a leading `/` or a slash in the middle anchors to the
//! root, a bare name matches at any depth, a trailing `/` matches a directory and everything
//! below, `*` stays within one path segment and `**` crosses them), except that `[ ]` ranges and
//! `!` negation are not supported (GitHub documents both as unsupported) and `dir/*` matches only
//! the files directly in `dir`. A line with a pattern and no owners un-assigns the path. GitLab's
//! `[Section]`, `^[Optional]` and `[Section][2]` headers are read; their rules keep applying in
//! file order, and a section's default owners go to its pattern lines that name none.
//!
//! Parsing never fails: a line that cannot be understood is recorded with its line number and
//! skipped, so one typo does not drop everyone's ownership. The file is hostile input (it comes
//! from the scanned repository): a file of 3 MB or more is ignored as GitHub ignores it, a
//! pattern over 4 KiB is skipped, only the first problems are kept (all are counted), and
//! patterns are matched as text ([`glob`]) rather than compiled one automaton per line.

mod glob;

use glob::Tail;

use crate::policy::pattern::MAX_PATTERN;
use crate::rules::text::excerpt;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where GitHub and GitLab look for the file, in the order they look.
pub const LOCATIONS: [&str; 4] = [
    ".github/CODEOWNERS",
    "CODEOWNERS",
    "docs/CODEOWNERS",
    ".gitlab/CODEOWNERS",
];

/// Largest CODEOWNERS file read. GitHub does not load a CODEOWNERS file of 3 MB or more
/// ("CODEOWNERS file size limit"), so neither does keytrace: such a file assigns no owners.
pub const MAX_FILE: u64 = 3 * 1024 * 1024;

/// Problems kept with their line; further ones are only counted.
pub const MAX_PROBLEMS: usize = 20;

/// A line of a CODEOWNERS file that was skipped or only partly understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line number.
    pub line: usize,
    pub message: String,
}

/// One pattern line: spans into [`Codeowners::pool`]. 20 bytes a line, whatever the pattern.
#[derive(Debug, Clone, Copy)]
struct Rule {
    pattern: u32,
    pattern_len: u32,
    owners: u32,
    owners_len: u32,
    /// Trailing `/`: only directories match (so only paths below them).
    dir_only: bool,
    /// Last segment is exactly `*`: only entries directly in the directory, not below.
    direct_only: bool,
}

/// A parsed CODEOWNERS file. Memory is the file's text plus a fixed 20 bytes a line: patterns
/// and owner lists live back to back in one string, and are matched without compiling. Cloning
/// shares them (history attribution labels one parse with many commits).
#[derive(Debug, Clone, Default)]
pub struct Codeowners {
    /// Canonical patterns and space-separated owner lists.
    pool: Arc<str>,
    rules: Arc<[Rule]>,
    /// (hash of a literal segment every match needs, rule index), sorted: a path is only
    /// tested against rules whose literal is one of its segments, and the `unkeyed` ones.
    keyed: Arc<[(u64, u32)]>,
    /// Rules without a literal segment (`*.js`, `**`), ascending.
    unkeyed: Arc<[u32]>,
    problems: Vec<Problem>,
    problem_count: usize,
    /// Why the whole file was ignored, when it was.
    ignored: Option<String>,
    source: Option<String>,
}

impl Codeowners {
    /// Parse CODEOWNERS text. Never fails; bad lines are in [`Codeowners::problems`].
    pub fn parse(text: &str) -> Codeowners {
        let mut out = Builder::default();
        // The current GitLab section's default owners, as a span of the pool.
        let mut section_owners = (0u32, 0u32);
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            if let Some(defaults) = section_header(trimmed) {
                let owners = out.valid_owners(line, &defaults);
                section_owners = out.push_owners(&owners);
                continue;
            }
            let tokens = tokenize(trimmed);
            let Some((pattern, rest)) = tokens.split_first() else {
                continue;
            };
            let comment = rest.iter().position(|t| t.starts_with('#'));
            let owner_tokens = &rest[..comment.unwrap_or(rest.len())];
            let owners = out.valid_owners(line, owner_tokens);
            if owners.is_empty() && !owner_tokens.is_empty() {
                out.problem(line, "no valid owner on this line; line skipped");
                continue;
            }
            match compile(pattern) {
                Ok((canonical, dir_only, direct_only)) => {
                    let (owners, owners_len) = if owner_tokens.is_empty() {
                        section_owners
                    } else {
                        out.push_owners(&owners)
                    };
                    let (pattern, pattern_len) = out.push(&canonical);
                    out.rules.push(Rule {
                        pattern,
                        pattern_len,
                        owners,
                        owners_len,
                        dir_only,
                        direct_only,
                    });
                }
                Err(message) => out.problem(line, &message),
            }
        }
        let (mut keyed, mut unkeyed) = (Vec::new(), Vec::new());
        for (i, r) in out.rules.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            let pattern = span(&out.pool, r.pattern, r.pattern_len);
            match glob::literal_segment(pattern) {
                Some(lit) => keyed.push((hash(lit), i)),
                None => unkeyed.push(i),
            }
        }
        keyed.sort_unstable();
        Codeowners {
            pool: Arc::from(out.pool),
            rules: Arc::from(out.rules),
            keyed: Arc::from(keyed),
            unkeyed: Arc::from(unkeyed),
            problems: out.problems,
            problem_count: out.problem_count,
            ignored: None,
            source: None,
        }
    }

    /// Parse a CODEOWNERS file's bytes (invalid UTF-8 is replaced). A file of [`MAX_FILE`]
    /// bytes or more is ignored, as GitHub ignores it: no owners, and [`Codeowners::ignored`]
    /// says why.
    pub fn from_bytes(bytes: &[u8]) -> Codeowners {
        if bytes.len() as u64 >= MAX_FILE {
            return Codeowners::too_large(bytes.len() as u64);
        }
        Codeowners::parse(&String::from_utf8_lossy(bytes))
    }

    /// An ignored file of `size` bytes.
    pub fn too_large(size: u64) -> Codeowners {
        Codeowners {
            ignored: Some(format!(
                "{size} bytes, at or over GitHub's 3 MB limit for CODEOWNERS; ignored, as GitHub \
                 ignores it (no owners from this file)"
            )),
            ..Codeowners::default()
        }
    }

    /// Find and parse the CODEOWNERS file of the repository or directory at `root`, looking where
    /// GitHub and GitLab look ([`LOCATIONS`]). The file's path relative to `root` is kept as
    /// [`Codeowners::source`]. At most [`MAX_FILE`] bytes are read.
    pub fn find(root: &Path) -> Option<(PathBuf, Codeowners)> {
        LOCATIONS.iter().find_map(|rel| {
            let path = root.join(rel);
            let file = std::fs::File::open(&path).ok()?;
            if !file.metadata().ok()?.is_file() {
                return None;
            }
            let mut bytes = Vec::new();
            file.take(MAX_FILE).read_to_end(&mut bytes).ok()?;
            let mut parsed = Codeowners::from_bytes(&bytes);
            parsed.source = Some((*rel).to_string());
            Some((path, parsed))
        })
    }

    /// Name this file (e.g. `.github/CODEOWNERS`) for the `codeowners_file` property.
    pub fn with_source(mut self, source: impl Into<String>) -> Codeowners {
        self.source = Some(source.into());
        self
    }

    /// Where the file was found, relative to the scanned root, when known.
    pub fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }

    /// Lines that were skipped or only partly understood: the first [`MAX_PROBLEMS`].
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// How many problems there were in all (lines may have several).
    pub fn problem_count(&self) -> usize {
        self.problem_count
    }

    /// Why the whole file was ignored, when it was (see [`MAX_FILE`]).
    pub fn ignored(&self) -> Option<&str> {
        self.ignored.as_deref()
    }

    /// Owners of `path` (relative to the repository root, `/`-separated): `None` when no line
    /// matches, `Some(vec![])` when the last matching line names no owners (explicitly
    /// unowned).
    pub fn owners_for(&self, path: &str) -> Option<Vec<String>> {
        let path = normalize(path);
        if path.is_empty() {
            return None;
        }
        let segs: Vec<&str> = path.split('/').collect();
        self.candidates(&segs)
            .filter_map(|i| self.rules.get(i as usize))
            .find(|r| self.rule_matches(r, &segs))
            .map(|r| {
                self.span(r.owners, r.owners_len)
                    .split(' ')
                    .filter(|o| !o.is_empty())
                    .map(str::to_string)
                    .collect()
            })
    }

    /// Indices of the rules that may match `segs`, last first.
    fn candidates(&self, segs: &[&str]) -> impl Iterator<Item = u32> + '_ {
        let mut keyed: Vec<u32> = Vec::new();
        let mut hashes: Vec<u64> = segs.iter().map(|s| hash(s)).collect();
        hashes.sort_unstable();
        hashes.dedup();
        for h in hashes {
            let from = self.keyed.partition_point(|&(k, _)| k < h);
            let to = self.keyed.partition_point(|&(k, _)| k <= h);
            keyed.extend(self.keyed[from..to].iter().map(|&(_, i)| i));
        }
        keyed.sort_unstable();
        let mut keyed = keyed.into_iter().rev().peekable();
        let mut unkeyed = self.unkeyed.iter().rev().copied().peekable();
        std::iter::from_fn(move || match (keyed.peek(), unkeyed.peek()) {
            (Some(&k), Some(&u)) if k >= u => keyed.next(),
            (Some(_), Some(_)) | (None, Some(_)) => unkeyed.next(),
            (Some(_), None) => keyed.next(),
            (None, None) => None,
        })
    }

    fn rule_matches(&self, r: &Rule, path: &[&str]) -> bool {
        let pat = self.span(r.pattern, r.pattern_len);
        // A pattern owns what it names and, naming a directory, everything below it.
        let tail = match (r.dir_only, r.direct_only) {
            (true, _) => Tail::Below,
            (false, true) => Tail::Exact,
            (false, false) => Tail::OrBelow,
        };
        glob::matches_with(pat, path, tail)
    }

    fn span(&self, start: u32, len: u32) -> &str {
        span(&self.pool, start, len)
    }
}

fn span(pool: &str, start: u32, len: u32) -> &str {
    let (start, len) = (start as usize, len as usize);
    pool.get(start..start + len).unwrap_or("")
}

fn hash(segment: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    BuildHasherDefault::<DefaultHasher>::default().hash_one(segment)
}

/// A CODEOWNERS file being parsed.
#[derive(Default)]
struct Builder {
    pool: String,
    rules: Vec<Rule>,
    problems: Vec<Problem>,
    problem_count: usize,
}

impl Builder {
    /// Append `text` to the pool: its span.
    fn push(&mut self, text: &str) -> (u32, u32) {
        // The pool holds at most a capped file's text plus a few bytes a line.
        let start = u32::try_from(self.pool.len()).unwrap_or(u32::MAX);
        self.pool.push_str(text);
        (start, u32::try_from(text.len()).unwrap_or(0))
    }

    fn push_owners(&mut self, owners: &[String]) -> (u32, u32) {
        if owners.is_empty() {
            return (0, 0);
        }
        self.push(&owners.join(" "))
    }

    fn problem(&mut self, line: usize, message: &str) {
        self.problem_count += 1;
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(Problem {
                line,
                message: message.to_string(),
            });
        }
    }

    /// The valid owners among `tokens` (stopping at an inline `#` comment); invalid ones are
    /// recorded and dropped.
    fn valid_owners(&mut self, line: usize, tokens: &[String]) -> Vec<String> {
        let mut owners = Vec::new();
        for t in tokens.iter().take_while(|t| !t.starts_with('#')) {
            if is_owner(t) {
                owners.push(t.clone());
            } else {
                let message = format!("`{}` is not a @user, @org/team or email", excerpt(t));
                self.problem(line, &message);
            }
        }
        owners
    }
}

/// CODEOWNERS answers by path for one file: findings cluster in few files, and each lookup
/// walks the file's lines.
#[derive(Debug, Default)]
pub struct Memo {
    answers: HashMap<String, Option<Vec<String>>>,
}

impl Memo {
    /// [`Codeowners::owners_for`], remembered.
    pub fn owners_for(&mut self, file: &Codeowners, path: &str) -> Option<Vec<String>> {
        if let Some(hit) = self.answers.get(path) {
            return hit.clone();
        }
        let got = file.owners_for(path);
        self.answers.insert(path.to_string(), got.clone());
        got
    }
}

/// `a/b`, `./a/b`, `/a/b` and `a\b` all name the same path.
pub(crate) fn normalize(path: &str) -> String {
    let p = path.replace('\\', "/");
    let p = p.trim_start_matches("./").trim_start_matches('/');
    p.trim_end_matches('/').to_string()
}

/// A GitLab section header (`[Name]`, `^[Name]`, `[Name][2]`, optionally followed by default
/// owners): the default owner tokens, or `None` when the line is not a header.
fn section_header(line: &str) -> Option<Vec<String>> {
    let rest = line.strip_prefix('^').unwrap_or(line);
    let rest = rest.strip_prefix('[')?;
    let close = rest.find(']')?;
    if close == 0 {
        return None;
    }
    let mut after = &rest[close + 1..];
    if let Some(count) = after.strip_prefix('[') {
        let end = count.find(']')?;
        if !count[..end].chars().all(|c| c.is_ascii_digit()) || end == 0 {
            return None;
        }
        after = &count[end + 1..];
    }
    if !after.is_empty() && !after.starts_with(char::is_whitespace) {
        return None;
    }
    Some(after.split_whitespace().map(str::to_string).collect())
}

/// Split a line on unescaped whitespace; `\ ` is a space and `\#` a `#` inside a token. Other
/// escapes are kept for the glob compiler.
fn tokenize(line: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(n @ (' ' | '\t' | '#')) => cur.push(n),
                Some(n) => {
                    cur.push('\\');
                    cur.push(n);
                }
                None => cur.push('\\'),
            },
            c if c.is_whitespace() => {
                if !cur.is_empty() {
                    tokens.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        tokens.push(cur);
    }
    tokens
}

/// `@user`, `@org/team` or an email address.
fn is_owner(token: &str) -> bool {
    let name_ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    if let Some(handle) = token.strip_prefix('@') {
        return match handle.split_once('/') {
            Some((org, team)) => name_ok(org) && name_ok(team),
            None => name_ok(handle),
        };
    }
    match token.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !token.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// Compile a CODEOWNERS pattern: (canonical glob over the full path, dir_only, direct_only).
/// Errors quote at most an excerpt of the pattern.
fn compile(pattern: &str) -> Result<(String, bool, bool), String> {
    if pattern.len() > MAX_PATTERN {
        return Err(format!(
            "pattern `{}` is longer than {MAX_PATTERN} bytes; line skipped",
            excerpt(pattern)
        ));
    }
    if pattern.starts_with('!') {
        return Err(format!(
            "`{}`: negation is not supported in CODEOWNERS; line skipped",
            excerpt(pattern)
        ));
    }
    let dir_only = pattern.ends_with('/');
    let body = pattern.trim_end_matches('/');
    let anchored = body.starts_with('/') || body.contains('/');
    let body = body.trim_start_matches('/');
    if body.is_empty() {
        return Err(format!(
            "`{}` matches nothing; line skipped",
            excerpt(pattern)
        ));
    }
    let direct_only = body == "*" || body.ends_with("/*");
    Ok((glob::canonical(body, anchored), dir_only, direct_only))
}

#[cfg(test)]
mod tests;
