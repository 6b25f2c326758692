//! Extractors for credentials that are not `name = value`: URL user info, HTTP `Authorization`
//! schemes, command lines of tools that take a password argument, and SQL `IDENTIFIED BY`.
//!
//! Each is anchored on its own prefilter keyword (`://`, `basic`, `bearer`, a tool name,
//! `identified`) and reads only the line around it.

use super::lex;
use super::line::LineFacts;
use super::names::{Kind, NameClass};
use super::{Raw, Syntax};
use base64::Engine;
use std::ops::Range;

const PASSWORD: NameClass = NameClass::new(Kind::Password, true);

fn raw(bytes: &[u8], span: Range<usize>, syntax: Syntax, username: Option<String>) -> Raw {
    Raw {
        value: String::from_utf8_lossy(&bytes[span.clone()]).into_owned(),
        span,
        class: PASSWORD,
        words: Vec::new(),
        syntax,
        username,
    }
}

/// `scheme://user:password@host`: `hit` is the `://`.
pub fn url_userinfo(bytes: &[u8], hit: Range<usize>, line: &Range<usize>) -> Option<Raw> {
    let mut s = hit.start;
    while s > line.start && (bytes[s - 1].is_ascii_alphanumeric() || b"+.-".contains(&bytes[s - 1]))
    {
        s -= 1;
    }
    if hit.start - s < 2 {
        return None;
    }
    let from = hit.end;
    // Most URLs carry no user info: leave before walking the URL when no `@` follows at all.
    memchr::memchr(b'@', &bytes[from..line.end])?;
    let mut end = from;
    while end < line.end
        && !matches!(
            bytes[end],
            b'/' | b'?'
                | b'#'
                | b' '
                | b'\t'
                | b'"'
                | b'\''
                | b'`'
                | b'<'
                | b'>'
                | b'('
                | b')'
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b','
                | b'\\'
        )
    {
        end += 1;
    }
    let at = from + memchr::memrchr(b'@', &bytes[from..end])?;
    let colon = from + memchr::memchr(b':', &bytes[from..at])?;
    let host = String::from_utf8_lossy(&bytes[at + 1..end]).to_ascii_lowercase();
    let documentation = host.is_empty()
        || host.contains("example")
        || matches!(
            host.split(':').next(),
            Some("host" | "hostname" | "domain" | "server")
        );
    if documentation
        || colon + 1 >= at
        || crate::matcher::test_url::is_test_credential(
            &bytes[from..colon],
            &bytes[colon + 1..at],
            &bytes[at + 1..end],
        )
    {
        return None;
    }
    let user = String::from_utf8_lossy(&bytes[from..colon]).into_owned();
    Some(raw(bytes, colon + 1..at, Syntax::Url, Some(user)))
}

/// `Authorization: Basic <base64 user:password>` and `Bearer <token>`; `hit` is the scheme word.
pub fn auth_scheme(bytes: &[u8], hit: Range<usize>, line: &Range<usize>) -> Option<Raw> {
    if hit.start > line.start && bytes[hit.start - 1].is_ascii_alphanumeric() {
        return None;
    }
    let basic = bytes[hit.clone()].eq_ignore_ascii_case(b"basic");
    let mut start = lex::skip_blanks(bytes, hit.end, line.end);
    if start == hit.end {
        return None;
    }
    // `'Basic ' + 'dXNlcjpwYXNz'`: the credentials follow in the next literal.
    if let Some(&q) = bytes.get(start).filter(|&&q| lex::is_quote(q)) {
        let plus = lex::skip_blanks(bytes, start + 1, line.end);
        let open = lex::skip_blanks(bytes, plus + 1, line.end);
        if bytes.get(plus) == Some(&b'+') && bytes.get(open) == Some(&q) {
            start = open + 1;
        }
    }
    let token_byte = |b: u8| {
        b.is_ascii_alphanumeric() || b"+/=".contains(&b) || (!basic && b"._~-".contains(&b))
    };
    let mut end = start;
    while end < line.end && token_byte(bytes[end]) {
        end += 1;
    }
    if end - start < 8 || (end < line.end && bytes[end] == b'$') {
        return None;
    }
    if !basic {
        let mut r = raw(bytes, start..end, Syntax::Bearer, None);
        r.class = NameClass::new(Kind::Token, true);
        return Some(r);
    }
    let mut unpadded = &bytes[start..end];
    while let [rest @ .., b'='] = unpadded {
        unpadded = rest;
    }
    let decoded = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(unpadded)
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    if text.chars().any(char::is_control) {
        return None;
    }
    let (user, pass) = text.split_once(':')?;
    if pass.is_empty() {
        return None;
    }
    let mut r = raw(bytes, start..end, Syntax::Basic, Some(user.to_string()));
    r.value = pass.to_string();
    Some(r)
}

/// Command-line tools and the flag that carries a password.
const TOOLS: &[(&str, Tool)] = &[
    ("mysql", Tool::MysqlLike),
    ("mysqldump", Tool::MysqlLike),
    ("mysqladmin", Tool::MysqlLike),
    ("mysqlimport", Tool::MysqlLike),
    ("mariadb", Tool::MysqlLike),
    ("mariadb-dump", Tool::MysqlLike),
    ("sshpass", Tool::Separate("-p")),
    ("redis-cli", Tool::Separate("-a")),
    ("mongo", Tool::Separate("-p")),
    ("mongosh", Tool::Separate("-p")),
    ("mongodump", Tool::Separate("-p")),
    ("mongorestore", Tool::Separate("-p")),
    ("curl", Tool::UserColonPassword),
    ("ldapsearch", Tool::Separate("-w")),
    ("ldapmodify", Tool::Separate("-w")),
    ("ldapadd", Tool::Separate("-w")),
    ("ldapdelete", Tool::Separate("-w")),
    ("htpasswd", Tool::Htpasswd),
    ("docker", Tool::Login("-p")),
    ("podman", Tool::Login("-p")),
];

/// Tool names the prefilter looks for (each a prefix of the tools above).
pub const TOOL_KEYWORDS: &[&str] = &[
    "mysql",
    "mariadb",
    "sshpass",
    "redis-cli",
    "mongo",
    "curl",
    "docker",
    "podman",
    "ldap",
    "htpasswd",
];

#[derive(Debug, Clone, Copy)]
enum Tool {
    /// `-pSECRET` attached (a bare `-p` prompts).
    MysqlLike,
    /// `FLAG SECRET` or `FLAGSECRET`.
    Separate(&'static str),
    /// `-u user:password` / `--user user:password`.
    UserColonPassword,
    /// `TOOL login ... FLAG SECRET` (the flag means something else in other subcommands).
    Login(&'static str),
    /// `htpasswd -b[c] FILE USER PASSWORD`: the third operand, in batch mode only.
    Htpasswd,
}

/// How many words of a command line are read after the tool's name: enough for any real
/// invocation, and a bound on the work when a line repeats a tool name thousands of times.
const MAX_WORDS: usize = 48;

/// Whitespace-separated words of a command line, with quotes removed from the spans; at most
/// [`MAX_WORDS`], up to a shell separator (`|`, `;`, `&&`, `||`, `>`). Every step moves forward:
/// the next word starts after the previous one ends.
fn shell_words(bytes: &[u8], from: usize, end: usize) -> Vec<Range<usize>> {
    let skip = |mut i: usize| {
        while i < end && lex::is_word_space(bytes[i]) {
            i += 1;
        }
        i
    };
    let mut words = Vec::new();
    let mut i = skip(from);
    while i < end && words.len() < MAX_WORDS {
        let q = bytes[i];
        let (span, next) = if q == b'"' || q == b'\'' {
            let close = memchr::memchr(q, &bytes[i + 1..end]).map_or(end, |c| i + 1 + c);
            (i + 1..close, close + 1)
        } else {
            let mut e = i;
            while e < end && !lex::is_word_space(bytes[e]) && !matches!(bytes[e], b'"' | b'\'') {
                e += 1;
            }
            if e < end && matches!(bytes[e], b'"' | b'\'') && e > i {
                let q = bytes[e];
                let close = memchr::memchr(q, &bytes[e + 1..end]).map_or(end, |c| e + 1 + c);
                words.push(i..e);
                words.push(e + 1..close);
                i = skip(close + 1);
                continue;
            }
            (i..e, e)
        };
        if matches!(&bytes[span.clone()], b"|" | b";" | b"&&" | b"||" | b">") {
            break;
        }
        words.push(span);
        // `next` is past the word just read (a quote or a non-space byte was consumed), so the
        // loop always advances; `max` keeps that true whatever the branches above become.
        i = skip(next.max(i + 1).min(end));
    }
    words
}

/// The longest tool name a command line can start with (`mariadb-dump.exe`).
const MAX_TOOL_NAME: usize = 16;

/// A password on the command line of a known tool; `hit` is the tool keyword.
pub fn command_line(bytes: &[u8], hit: Range<usize>, line: &Range<usize>) -> Option<Raw> {
    let boundary = |b: u8| lex::is_word_space(b) || b"/\"'(;|&`=".contains(&b);
    if hit.start > line.start && !boundary(bytes[hit.start - 1]) {
        return None;
    }
    let mut e = hit.end;
    // A word longer than any tool name is not one: stop reading it there.
    let name_end = line.end.min(hit.start + MAX_TOOL_NAME + 1);
    while e < name_end && !lex::is_word_space(bytes[e]) && !matches!(bytes[e], b'"' | b'\'') {
        e += 1;
    }
    let name = &bytes[hit.start..e];
    let name = name.strip_suffix(b".exe").unwrap_or(name);
    let (_, tool) = TOOLS.iter().find(|(t, _)| t.as_bytes() == name)?;
    let words = shell_words(bytes, e, line.end);
    let (span, user) = match *tool {
        Tool::Htpasswd => htpasswd_operand(bytes, &words).map(|s| (s, None))?,
        Tool::Login(_) if words.first().is_none_or(|f| &bytes[f.clone()] != b"login") => {
            return None;
        }
        _ => (0..words.len()).find_map(|i| flag_value(bytes, *tool, &words, i))?,
    };
    (!span.is_empty()).then(|| raw(bytes, span, Syntax::Cli, user))
}

/// The password carried by word `i` (and maybe the next one) for `tool`, with a user name when
/// the argument holds one.
fn flag_value(
    bytes: &[u8],
    tool: Tool,
    words: &[Range<usize>],
    i: usize,
) -> Option<(Range<usize>, Option<String>)> {
    let w = &words[i];
    let text = &bytes[w.clone()];
    let next = words.get(i + 1).cloned();
    match tool {
        Tool::MysqlLike => (text.len() > 2 && text.starts_with(b"-p") && text[2] != b'-')
            .then(|| (w.start + 2..w.end, None)),
        Tool::Separate(flag) | Tool::Login(flag) => {
            attached_or_next(text, w, flag.as_bytes(), next)
        }
        Tool::Htpasswd => None,
        Tool::UserColonPassword => ["-u", "--user"]
            .iter()
            .find_map(|f| attached_or_next(text, w, f.as_bytes(), next.clone()))
            .and_then(|(span, _)| {
                let colon = memchr::memchr(b':', &bytes[span.clone()])?;
                let user = String::from_utf8_lossy(&bytes[span.start..span.start + colon]);
                Some((span.start + colon + 1..span.end, Some(user.into_owned())))
            }),
    }
}

/// `htpasswd -b[c] FILE USER PASSWORD`: the third operand, in batch mode only.
fn htpasswd_operand(bytes: &[u8], words: &[Range<usize>]) -> Option<Range<usize>> {
    let flag = |w: &Range<usize>| bytes[w.clone()].starts_with(b"-");
    let batch = words
        .iter()
        .any(|w| flag(w) && bytes[w.clone()].contains(&b'b'));
    let operands: Vec<&Range<usize>> = words.iter().filter(|w| !flag(w)).collect();
    (batch && operands.len() >= 3).then(|| operands[2].clone())
}

/// `FLAG VALUE` or `FLAGVALUE` (short flags only attach).
fn attached_or_next(
    text: &[u8],
    w: &Range<usize>,
    flag: &[u8],
    next: Option<Range<usize>>,
) -> Option<(Range<usize>, Option<String>)> {
    if text == flag {
        return next.map(|n| (n, None));
    }
    (flag.len() == 2 && text.len() > 2 && text.starts_with(flag))
        .then(|| (w.start + 2..w.end, None))
}

/// SQL `IDENTIFIED BY 'secret'` and `IDENTIFIED WITH plugin BY 'secret'`; `hit` is `identified`.
/// Prose such as "the columns identified by 'colUsed'" is not SQL: the keyword must be written
/// in capitals (`IDENTIFIED`, as SQL usually is, also on a continuation line) or follow a
/// statement word on its line (`create user app identified by …`; `CREATE USER`, `ALTER USER`,
/// `GRANT`, `CREATE ROLE`, Oracle's `CREATE DATABASE LINK`). The value must be a string
/// literal, not a backquoted identifier.
pub fn sql_identified(
    bytes: &[u8],
    hit: Range<usize>,
    line: &Range<usize>,
    facts: &LineFacts,
) -> Option<Raw> {
    let capitals = bytes[hit.clone()].iter().all(u8::is_ascii_uppercase);
    if !(capitals || facts.statement_word(bytes, &(line.start..hit.start))) {
        return None;
    }
    let by = by_keyword(bytes, hit.end, line.end)?;
    let v = lex::parse_value(bytes, by, line.end)?;
    let backquoted = v.span.start > 0 && bytes[v.span.start - 1] == b'`';
    (v.quoted && !backquoted).then(|| raw(bytes, v.span, Syntax::Sql, None))
}

/// How far `WITH plugin` may reach before its `BY`.
const MAX_PLUGIN_CLAUSE: usize = 256;

/// After `IDENTIFIED` at `from`: the offset just past `BY` in ` BY 'x'` or
/// ` WITH plugin BY 'x'` (ASCII case-insensitive; `BY` followed by a space or a quote).
fn by_keyword(bytes: &[u8], from: usize, end: usize) -> Option<usize> {
    let word_at = |i: usize, w: &[u8]| {
        bytes
            .get(i..i + w.len())
            .is_some_and(|x| i + w.len() <= end && x.eq_ignore_ascii_case(w))
    };
    let by_at = |i: usize| word_at(i, b"by") && matches!(bytes.get(i + 2), Some(b' ' | b'\''));
    let p = lex::skip_blanks(bytes, from, end);
    if by_at(p) && p + 2 < end {
        return Some(p + 2);
    }
    if !word_at(p, b"with ") {
        return None;
    }
    let stop = end.min(p + MAX_PLUGIN_CLAUSE);
    (p + 5..stop.saturating_sub(2))
        .find(|&i| by_at(i) && i + 2 < end)
        .map(|i| i + 2)
}

/// Calls that take a password positionally: (function name, 0-based argument index).
const POSITIONAL: &[(&str, usize)] = &[
    ("login", 1),
    ("setbasicauth", 1),
    ("httpbasicauth", 1),
    ("httpdigestauth", 1),
    ("basicauth", 1),
    ("networkcredential", 1),
    ("passwordauthentication", 1),
    ("usernamepasswordcredentials", 1),
    ("usernamepasswordauthenticationtoken", 1),
    ("getconnection", 2),
    ("mysqli", 2),
    ("mysqli_connect", 2),
    ("pg_connect_user", 2),
];

/// Keywords for the positional calls not already covered by the name vocabulary (`cred` and
/// `auth` cover `NetworkCredential` and `SetBasicAuth`).
pub const CALL_KEYWORDS: &[&str] = &["login", "Login", "getConnection", "mysqli"];

/// `smtp.login("user", "password")`, `new NetworkCredential("u", "p")`,
/// `DriverManager.getConnection(url, "u", "p")`: a quoted literal at the password's position.
pub fn positional_call(bytes: &[u8], hit: Range<usize>, line: &Range<usize>) -> Option<Raw> {
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut s = hit.start;
    while s > line.start && ident(bytes[s - 1]) {
        s -= 1;
    }
    let mut e = hit.end;
    while e < line.end && ident(bytes[e]) {
        e += 1;
    }
    let open = lex::skip_blanks(bytes, e, line.end);
    if bytes.get(open) != Some(&b'(') {
        return None;
    }
    let name = &bytes[s..e];
    let (_, index) = POSITIONAL
        .iter()
        .find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(name))?;
    let arg = nth_argument(bytes, open + 1, line.end, *index)?;
    let v = lex::parse_value(bytes, arg, line.end)?;
    let next = lex::skip_blanks(bytes, v.after, line.end);
    let whole = matches!(bytes.get(next), Some(b')' | b','));
    (v.quoted && !v.interpolated && whole).then(|| {
        let mut r = raw(bytes, v.span, Syntax::Call, None);
        r.words = vec!["password".to_string()];
        r
    })
}

/// How far after its `(` a positional call's password argument may start: a bound on the work
/// when a line opens thousands of calls that never close (`login(login(login(…`).
const MAX_CALL_REACH: usize = 512;

/// How deeply the arguments before a positional password may nest.
const MAX_CALL_DEPTH: usize = 8;

/// Offset of the `n`th argument of a call whose arguments start at `from`.
fn nth_argument(bytes: &[u8], from: usize, end: usize, n: usize) -> Option<usize> {
    let end = end.min(from + MAX_CALL_REACH);
    let mut depth = 0usize;
    let mut seen = 0;
    let mut i = from;
    let mut quote: Option<u8> = None;
    while i < end && seen < n {
        let b = bytes[i];
        match quote {
            Some(_) if b == b'\\' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None => match b {
                b'"' | b'\'' | b'`' => quote = Some(b),
                // Arguments nested this deep are not a plain call (`login(login(login(…`).
                b'(' | b'[' | b'{' if depth >= MAX_CALL_DEPTH => return None,
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' if depth == 0 => return None,
                b')' | b']' | b'}' => depth -= 1,
                b',' if depth == 0 => seen += 1,
                _ => {}
            },
        }
        i += 1;
    }
    (seen == n).then_some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    type Extractor = fn(&[u8], Range<usize>, &Range<usize>) -> Option<Raw>;

    fn run(f: Extractor, text: &str, kw: &str) -> Option<String> {
        let b = text.as_bytes();
        let at = text.to_ascii_lowercase().find(kw)?;
        f(b, at..at + kw.len(), &(0..b.len())).map(|r| r.value)
    }

    #[test]
    fn url_userinfo_reads_the_password() {
        let f = url_userinfo;
        assert_eq!(
            run(f, "postgres://app:S3cr3tPw@db.internal:5432/x", "://").as_deref(),
            Some("S3cr3tPw")
        );
        assert_eq!(
            run(f, "redis://:Zq8Lw2x@cache:6379", "://").as_deref(),
            Some("Zq8Lw2x")
        );
        assert_eq!(run(f, "https://github.com/a/b", "://"), None);
        assert_eq!(run(f, "ssh://git@github.com/a", "://"), None);
        assert_eq!(run(f, "https://user:pw@example.com", "://"), None);
    }

    #[test]
    fn basic_auth_is_decoded_and_bearer_read() {
        // base64("admin:Vq7!xPz2") = YWRtaW46VnE3IXhQejI=
        assert_eq!(
            run(
                auth_scheme,
                "Authorization: Basic YWRtaW46VnE3IXhQejI=",
                "basic"
            )
            .as_deref(),
            Some("Vq7!xPz2")
        );
        assert_eq!(run(auth_scheme, "HTTP Basic authentication", "basic"), None);
        assert_eq!(
            run(
                auth_scheme,
                "Authorization: Bearer 8f3kQz9LmW2xV7pR4tY6",
                "bearer"
            )
            .as_deref(),
            Some("8f3kQz9LmW2xV7pR4tY6")
        );
        assert_eq!(run(auth_scheme, "Bearer $TOKEN", "bearer"), None);
    }

    #[test]
    fn command_lines() {
        assert_eq!(
            run(command_line, "mysql -u root -pS3cretPw db", "mysql").as_deref(),
            Some("S3cretPw")
        );
        assert_eq!(run(command_line, "mysql -u root -p db", "mysql"), None);
        assert_eq!(
            run(command_line, "sshpass -p 'Xy9#long' ssh host", "sshpass").as_deref(),
            Some("Xy9#long")
        );
        assert_eq!(
            run(command_line, "curl -u bob:Tr0ub4dor https://x", "curl").as_deref(),
            Some("Tr0ub4dor")
        );
        assert_eq!(run(command_line, "curl -u bob https://x", "curl"), None);
        assert_eq!(run(command_line, "mysqlclient -pX", "mysql"), None);
    }

    #[test]
    fn positional_calls() {
        assert_eq!(
            run(
                positional_call,
                "smtp.login(\"a@b.c\", \"Vq7!xPz2\")",
                "login"
            )
            .as_deref(),
            Some("Vq7!xPz2")
        );
        assert_eq!(
            run(
                positional_call,
                "getConnection(\"jdbc:x\", f(a, b), \"Xk29mQz7\")",
                "getconnection"
            )
            .as_deref(),
            Some("Xk29mQz7")
        );
        assert_eq!(run(positional_call, "login(user, password)", "login"), None);
        assert_eq!(
            run(positional_call, "login_page(\"a\", \"b\")", "login"),
            None
        );
    }

    fn sql(b: &[u8], hit: Range<usize>, line: &Range<usize>) -> Option<Raw> {
        sql_identified(b, hit, line, &LineFacts::new(line.clone()))
    }

    #[test]
    fn sql_identified_by() {
        assert_eq!(
            run(
                sql,
                "CREATE USER 'a'@'%' IDENTIFIED BY 'Pw9x!long';",
                "identified"
            )
            .as_deref(),
            Some("Pw9x!long")
        );
        assert_eq!(
            run(
                sql,
                "ALTER USER a IDENTIFIED WITH mysql_native_password BY 'Qz8!pw';",
                "identified"
            )
            .as_deref(),
            Some("Qz8!pw")
        );
        assert_eq!(
            run(sql, "IDENTIFIED BY PASSWORD '*ABC'", "identified"),
            None
        );
    }
}
