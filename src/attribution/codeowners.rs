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
//! skipped, so one typo does not drop everyone's ownership.

use globset::{GlobBuilder, GlobMatcher};
use std::path::{Path, PathBuf};

/// Where GitHub and GitLab look for the file, in the order they look.
pub const LOCATIONS: [&str; 4] = [
    ".github/CODEOWNERS",
    "CODEOWNERS",
    "docs/CODEOWNERS",
    ".gitlab/CODEOWNERS",
];

/// A line of a CODEOWNERS file that was skipped or only partly understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line number.
    pub line: usize,
    pub message: String,
}

/// One pattern line.
#[derive(Debug, Clone)]
struct Rule {
    glob: GlobMatcher,
    /// Trailing `/`: only directories match (so only paths below them).
    dir_only: bool,
    /// Last segment is exactly `*`: only entries directly in the directory, not below.
    direct_only: bool,
    owners: Vec<String>,
}

impl Rule {
    fn matches(&self, path: &str) -> bool {
        if !self.dir_only && self.glob.is_match(path) {
            return true;
        }
        if self.direct_only && !self.dir_only {
            return false;
        }
        path.match_indices('/')
            .any(|(i, _)| self.glob.is_match(&path[..i]))
    }
}

/// A parsed CODEOWNERS file.
#[derive(Debug, Clone, Default)]
pub struct Codeowners {
    rules: Vec<Rule>,
    problems: Vec<Problem>,
    source: Option<String>,
}

impl Codeowners {
    /// Parse CODEOWNERS text. Never fails; bad lines are in [`Codeowners::problems`].
    pub fn parse(text: &str) -> Codeowners {
        let mut out = Codeowners::default();
        let mut section_owners: Vec<String> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            if let Some(defaults) = section_header(trimmed) {
                section_owners = out.valid_owners(line, &defaults);
                continue;
            }
            let tokens = tokenize(trimmed);
            let Some((pattern, rest)) = tokens.split_first() else {
                continue;
            };
            let comment = rest.iter().position(|t| t.starts_with('#'));
            let owner_tokens = &rest[..comment.unwrap_or(rest.len())];
            let mut owners = out.valid_owners(line, owner_tokens);
            if owners.is_empty() && !owner_tokens.is_empty() {
                out.problem(line, "no valid owner on this line; line skipped");
                continue;
            }
            if owner_tokens.is_empty() {
                owners = section_owners.clone();
            }
            match compile(pattern) {
                Ok((glob, dir_only, direct_only)) => out.rules.push(Rule {
                    glob,
                    dir_only,
                    direct_only,
                    owners,
                }),
                Err(message) => out.problem(line, &message),
            }
        }
        out
    }

    /// Find and parse the CODEOWNERS file of the repository or directory at `root`, looking where
    /// GitHub and GitLab look ([`LOCATIONS`]). The file's path relative to `root` is kept as
    /// [`Codeowners::source`].
    pub fn find(root: &Path) -> Option<(PathBuf, Codeowners)> {
        LOCATIONS.iter().find_map(|rel| {
            let path = root.join(rel);
            let bytes = std::fs::read(&path).ok()?;
            let mut parsed = Codeowners::parse(&String::from_utf8_lossy(&bytes));
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

    /// Lines that were skipped or only partly understood.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// Owners of `path` (relative to the repository root, `/`-separated): `None` when no line
    /// matches, `Some(&[])` when the last matching line names no owners (explicitly unowned).
    pub fn owners_for(&self, path: &str) -> Option<&[String]> {
        let path = normalize(path);
        if path.is_empty() {
            return None;
        }
        self.rules
            .iter()
            .rev()
            .find(|r| r.matches(&path))
            .map(|r| r.owners.as_slice())
    }

    fn problem(&mut self, line: usize, message: &str) {
        self.problems.push(Problem {
            line,
            message: message.to_string(),
        });
    }

    /// The valid owners among `tokens` (stopping at an inline `#` comment); invalid ones are
    /// recorded and dropped.
    fn valid_owners(&mut self, line: usize, tokens: &[String]) -> Vec<String> {
        let mut owners = Vec::new();
        for t in tokens.iter().take_while(|t| !t.starts_with('#')) {
            if is_owner(t) {
                owners.push(t.clone());
            } else {
                self.problem(line, &format!("`{t}` is not a @user, @org/team or email"));
            }
        }
        owners
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

/// Compile a CODEOWNERS pattern: (glob over the full path, dir_only, direct_only).
fn compile(pattern: &str) -> Result<(GlobMatcher, bool, bool), String> {
    if pattern.starts_with('!') {
        return Err(format!(
            "`{pattern}`: negation is not supported in CODEOWNERS; line skipped"
        ));
    }
    let dir_only = pattern.ends_with('/');
    let body = pattern.trim_end_matches('/');
    let anchored = body.starts_with('/') || body.contains('/');
    let body = body.trim_start_matches('/');
    if body.is_empty() {
        return Err(format!("`{pattern}` matches nothing; line skipped"));
    }
    let direct_only = body == "*" || body.ends_with("/*");
    let mut glob = String::with_capacity(body.len() + 3);
    if !anchored {
        glob.push_str("**/");
    }
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            // GitHub treats `[ ]` and `{ }` literally.
            '[' | ']' | '{' | '}' => {
                glob.push('\\');
                glob.push(c);
            }
            '\\' => {
                glob.push('\\');
                glob.push(chars.next().unwrap_or('\\'));
            }
            c => glob.push(c),
        }
    }
    let matcher = GlobBuilder::new(&glob)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map_err(|e| format!("`{pattern}`: {e}; line skipped"))?
        .compile_matcher();
    Ok((matcher, dir_only, direct_only))
}

#[cfg(test)]
#[path = "codeowners_tests.rs"]
mod tests;
