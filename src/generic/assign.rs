//! Name-anchored extraction: from a credential name found by the prefilter, read what the syntax
//! around it assigns to it.
//!
//! One routine covers the assignment family of every format (`name = v`, `name: v`, `"name": v`,
//! `name => v`, `NAME=v`, `name := v`, `--name v`, `ENV NAME v`, `<name>v</name>`,
//! `name="v"` attributes, `setName("v")`, `define('NAME', 'v')`, `Password=v;` in connection
//! strings, `name="NAME" value="v"` and `- name: NAME` / `value: v` sibling pairs). What differs
//! between formats is only which operators and value shapes are legal, and whether an unquoted
//! value is a literal (config files, shell) or an expression (source code).

use super::forms::{comparison_op, constant_argument, defines, without_equals_call};
use super::lex::{self, Value};
use super::line::{self, LineFacts, VALUE_KEYS};
use super::names::{self, NameClass};
use super::score::FileKind;
use super::{Raw, Syntax};
use std::ops::Range;

/// Keys whose value *names* a setting whose value follows as a sibling (`name`, `key`).
const SIBLING_KEYS: &[&str] = &[
    "name",
    "key",
    "param",
    "parameter",
    "parametername",
    "parameterkey",
    "variable",
    "property",
    "setting",
    "envvar",
];

/// Words before a call's credential name that make the call a setter.
const SETTER_VERBS: &[&str] = &["set", "with", "use", "put"];

/// First words of credential names that may be called directly (`password("x")`,
/// `.apiKey("x")`), as in builders; any other leading word (`hash_password`) is a verb.
const CALLABLE_STARTS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "api",
    "apikey",
    "access",
    "auth",
    "client",
    "private",
    "credentials",
    "db",
    "admin",
    "root",
];

/// Longest credential name read: longer runs of name bytes are data, not names, and splitting
/// them into words would cost more than the rest of the line.
const MAX_NAME: usize = 256;

/// How far after a name its sibling `value` key may sit on the same line
/// (`name="password" value="x"`).
const SIBLING_REACH: usize = 512;

/// How much of a following line is read for a sibling or default value.
const NEXT_LINE_REACH: usize = 2048;

/// The name around `hit` and what is assigned to it. Returns where the next name may start:
/// the end of this name, or the end of the unquoted value assigned to it (a name inside that
/// value, as in `password=password=…`, is part of this value, and reading it again for every
/// such name is what made long lines quadratic).
pub fn at_name(
    bytes: &[u8],
    hit: Range<usize>,
    line: &Range<usize>,
    facts: &LineFacts,
    file: FileKind,
    out: &mut Vec<Raw>,
) -> usize {
    let name = without_equals_call(bytes, lex::name_around(bytes, hit.clone(), line));
    if name.is_empty() || name.len() > MAX_NAME || !worth_reading(bytes, &name, line, facts) {
        return name.end.max(hit.end);
    }
    let words = &names::words(&String::from_utf8_lossy(&bytes[name.clone()]));
    let Some(class) = names::classify_words(words) else {
        out.extend(call_setter(bytes, &name, line, words));
        return name.end;
    };
    let site = Site {
        bytes,
        name: name.clone(),
        line: line.clone(),
        facts,
        file,
        flag: bytes[name.start] == b'-',
    };
    let Some((syntax, mut value)) = site.read() else {
        out.extend(call_setter(bytes, &name, line, words));
        return name.end;
    };
    let mut username = None;
    if words.ends_with(&["user".to_string(), "pwd".to_string()])
        && let Some(colon) = memchr::memchr(b':', &bytes[value.span.clone()])
    {
        // `CURLOPT_USERPWD, "user:password"`: the password follows the colon.
        let user = &bytes[value.span.start..value.span.start + colon];
        username = Some(String::from_utf8_lossy(user).into_owned());
        value.span.start += colon + 1;
    }
    let value_text = String::from_utf8_lossy(&bytes[value.span.clone()]).into_owned();
    // Only a bare value written right after its name's operator (`name=v`, `--name v`) covers
    // the names inside it; a sibling `value=` further on leaves the names in between alone.
    let direct = !value.quoted
        && name.end <= value.span.start
        && value.span.end <= line.end
        && !bytes[name.end..value.span.start]
            .iter()
            .any(|&c| c.is_ascii_alphanumeric());
    let next = if direct { value.span.end } else { name.end };
    out.push(Raw {
        span: value.span,
        value: if value.interpolated {
            format!("${{{value_text}}}")
        } else {
            value_text
        },
        class,
        words: words.clone(),
        syntax,
        username,
    });
    next
}

/// A cheap look at the bytes around a name, before any allocation: can any syntax assign a
/// value to it here? Most keyword hits are names merely used in code (`cache_key)`, `token.`),
/// and this is where they leave.
fn worth_reading(b: &[u8], name: &Range<usize>, line: &Range<usize>, facts: &LineFacts) -> bool {
    let before = (name.start > line.start).then(|| b[name.start - 1]);
    let mut pos = name.end;
    if before.is_some_and(lex::is_quote) && pos < line.end && Some(b[pos]) == before {
        pos += 1;
    }
    if pos < line.end && b[pos] == b']' {
        pos += 1;
    }
    let at = lex::skip_blanks(b, pos, line.end);
    let quoted = pos > name.end;
    match b.get(at).filter(|_| at < line.end) {
        Some(b'=' | b':' | b'(' | b'>' | b'?' | b'|' | b'!') => return true,
        // `("X-Api-Key", "…")`; an unquoted `key, value` is a list of names, unless the name
        // is a constant argument (`setopt(h, CURLOPT_PASSWORD, "…")`).
        Some(b',') if quoted || constant_argument(b, name, line) => return true,
        Some(b'.') if comparison_op(b, at, line.end).is_some() => return true,
        _ => {}
    }
    if before == Some(b'<') {
        return true;
    }
    let start = if before.is_some_and(lex::is_quote) {
        name.start - 1
    } else {
        name.start
    };
    if let Some(p) = lex::prev_non_blank(b, start, line.start)
        && (b"=:".contains(&b[p]) || b[line.start..=p].ends_with(b"variable"))
    {
        return true;
    }
    let spaced = at > pos;
    let flag = b[name.start] == b'-';
    let env_line = env_line(b, facts);
    spaced
        && (flag
            || env_line
            || b[name.clone()].eq_ignore_ascii_case(b"password")
            || defines(b, facts, name))
}

/// A Dockerfile `ENV NAME value` line.
fn env_line(b: &[u8], facts: &LineFacts) -> bool {
    let first = facts.first_non_blank(b);
    let line_end = facts.range.end;
    first + 4 < line_end && b[first..first + 4].eq_ignore_ascii_case(b"ENV ")
}

/// One credential name in its line. `line` is the part of the line the lexers may read (the
/// whole line, or a window around the name on a very long one); `facts` serves the whole line.
struct Site<'a> {
    bytes: &'a [u8],
    name: Range<usize>,
    line: Range<usize>,
    facts: &'a LineFacts,
    file: FileKind,
    flag: bool,
}

impl Site<'_> {
    /// The value at `at`, up to the end of the readable line.
    fn value(&self, at: usize) -> Option<Value> {
        let (b, facts) = (self.bytes, self.facts);
        lex::parse_value_with(b, at, self.line.end, |from, end| {
            facts.bare_end(b, from, end)
        })
    }

    fn read(&self) -> Option<(Syntax, Value)> {
        let b = self.bytes;
        let end = self.line.end;
        let open = (self.name.start > self.line.start)
            .then(|| b[self.name.start - 1])
            .filter(|&c| lex::is_quote(c));
        let mut pos = self.name.end;
        let quoted_name = open.is_some_and(|q| pos < end && b[pos] == q);
        if quoted_name {
            pos += 1;
            if let Some(found) = self.sibling() {
                return Some(found);
            }
        } else if self.name.start > self.line.start && b[self.name.start - 1] == b'<' {
            return self.xml_element(pos);
        }
        if pos < end && b[pos] == b']' {
            pos += 1;
        }
        if self.file == FileKind::Prose && open == Some(b'`') && quoted_name {
            // Prose mentions a name in a code span (`` `DB_PASSWORD` ``); it assigns nothing.
            return None;
        }
        let at = lex::skip_blanks(b, pos, end);
        if let Some(after) = comparison_op(b, at, end) {
            return self.compared(after);
        }
        if let Some((op, after)) = lex::assign_op(b, at, end) {
            return self.assigned(op, after);
        }
        if b[self.name.clone()].contains(&b' ') {
            // A two-word name (`secret key`) is only ever assigned to: `the API key (`…`)` is
            // prose.
            return None;
        }
        if !quoted_name && let Some(found) = self.sibling() {
            return Some(found);
        }
        match b.get(at) {
            Some(b',') if quoted_name => self.pair(at + 1),
            Some(b',') if constant_argument(b, &self.name, &self.line) => {
                quoted_arg(b, at + 1, end).map(|v| (Syntax::Call, v))
            }
            Some(b'(') => self.call_arg(at + 1),
            _ if at > pos => self.spaced(at),
            _ => None,
        }
    }

    /// `password == "x"`, `pwd.equals("x")`: a literal compared with the name is its value.
    fn compared(&self, after: usize) -> Option<(Syntax, Value)> {
        let v = self.value(after)?;
        (v.quoted && !v.interpolated).then_some((Syntax::Compare, v))
    }

    /// `PASSWORD('x')`, `OLD_PASSWORD('x')` as the value of SQL `SET PASSWORD … =`.
    fn sql_password_call(&self, v: &Value) -> Option<Value> {
        let b = self.bytes;
        let text = &b[v.span.clone()];
        let call =
            text.eq_ignore_ascii_case(b"password") || text.eq_ignore_ascii_case(b"old_password");
        if v.quoted || !call || b.get(v.after) != Some(&b'(') {
            return None;
        }
        quoted_arg(b, v.after + 1, self.line.end)
    }

    /// SQL `SET PASSWORD FOR 'u'@'h' = 'x'` (and `= PASSWORD('x')`).
    fn set_password_for(&self, at: usize) -> Option<(Syntax, Value)> {
        let b = self.bytes;
        let end = self.line.end;
        let first = self.facts.first_non_blank(b);
        let set = b[first..end].len() > 4 && b[first..first + 4].eq_ignore_ascii_case(b"set ");
        let for_ = b
            .get(at..at + 4)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"for "));
        if !(set && for_) {
            return None;
        }
        let eq = at + memchr::memchr(b'=', &b[at..end])?;
        let v = self.value(eq + 1)?;
        if let Some(inner) = self.sql_password_call(&v) {
            return Some((Syntax::Sql, inner));
        }
        v.quoted.then_some((Syntax::Sql, v))
    }

    /// `name = value` and its relatives.
    fn assigned(&self, op: &str, after: usize) -> Option<(Syntax, Value)> {
        let b = self.bytes;
        let end = self.line.end;
        let open = lex::skip_blanks(b, after, end);
        if open < end && matches!(b[open], b'(' | b'[') && self.names_a_pair() {
            // `auth = ("user", "password")`: the second element is the password.
            let user = quoted_arg(b, open + 1, end)?;
            let comma = lex::skip_blanks(b, user.after, end);
            return quoted_arg(b, comma + 1, end).map(|v| (Syntax::UserPass, v));
        }
        let mut value = self.value(after)?;
        if self.is_password_word()
            && let Some(inner) = self.sql_password_call(&value)
        {
            // `SET PASSWORD = PASSWORD('x')`.
            return Some((Syntax::Sql, inner));
        }
        if op == ":" && !value.quoted {
            let next = lex::skip_blanks(b, value.after, end);
            if let Some(("=", rest)) = lex::assign_op(b, next, end) {
                value = self.value(rest)?;
            }
        }
        let syntax = if self.flag {
            Syntax::Cli
        } else if op == "=" && self.in_connection_string(&value) {
            Syntax::ConnString
        } else if self.is_password_word() && self.sql_context() {
            Syntax::Sql
        } else {
            Syntax::Assign
        };
        self.literal(value, syntax, op != "=")
    }

    /// `auth`, `credentials`, `basic_auth`: names that take a (user, password) pair.
    fn names_a_pair(&self) -> bool {
        let text = String::from_utf8_lossy(&self.bytes[self.name.clone()]).into_owned();
        matches!(
            names::words(&text).last().map(String::as_str),
            Some("auth" | "credentials" | "creds")
        )
    }

    /// Keep a value only when it is a literal in this context. With `wordy`, an unquoted value
    /// followed by more words is prose (`Password: the password of...`), not a value.
    fn literal(&self, mut value: Value, syntax: Syntax, wordy: bool) -> Option<(Syntax, Value)> {
        if value.span.is_empty() {
            return None;
        }
        let b = self.bytes;
        if value.quoted {
            // `"Basic " + encode(pair)`: in code, a literal joined to more is an expression.
            let next = lex::skip_blanks(b, value.after, self.line.end);
            let joined = self.file == FileKind::Code && b.get(next) == Some(&b'+');
            return (!joined).then_some((syntax, value));
        }
        // A name inside a string (`"password=x"`) is text whose value is text too; a name that is
        // a whole string (`kwds['authkey'] = self._authkey`) is a key, and code assigns to it.
        let whole_string = self.name.start > self.line.start
            && lex::is_quote(b[self.name.start - 1])
            && b.get(self.name.end) == Some(&b[self.name.start - 1]);
        let embedded = !whole_string && self.facts.inside_string(b, self.name.start);
        if self.file == FileKind::Code && !embedded {
            return None;
        }
        if self.file == FileKind::Code {
            // Text inside a code string ends at an escape: `"x-secret: typed\r\nhost: a"`.
            if let Some(i) = memchr::memchr(b'\\', &b[value.span.clone()]) {
                value.span.end = value.span.start + i;
                value.after = value.span.end;
            }
            if value.span.is_empty() {
                return None;
            }
        }
        let next = lex::skip_blanks(b, value.after, self.line.end);
        let call = value.after < self.line.end && b[value.after] == b'(';
        let prose = value.after < next && next < self.line.end && b[next].is_ascii_alphabetic();
        if call || (prose && wordy && !self.flag) {
            return None;
        }
        Some((syntax, value))
    }

    /// `Password=x;` inside `Server=...;User Id=...;Password=x;`.
    fn in_connection_string(&self, value: &Value) -> bool {
        let b = self.bytes;
        let before = lex::prev_non_blank(b, self.name.start, self.line.start);
        let semi_before = before.is_some_and(|i| b[i] == b';');
        let more_pairs = memchr::memchr(b'=', &b[value.after..self.line.end]).is_some();
        let semi_after = value.after < self.line.end && b[value.after] == b';' && more_pairs;
        // libpq: `host=db user=app password=x dbname=app` inside a string.
        let space_pairs = !value.quoted
            && value.after < self.line.end
            && b[value.after] == b' '
            && more_pairs
            && self.facts.inside_string(b, self.name.start);
        semi_before || semi_after || space_pairs
    }

    /// The name is the bare word `password`, as SQL writes it.
    fn is_password_word(&self) -> bool {
        self.bytes[self.name.clone()].eq_ignore_ascii_case(b"password")
    }

    /// `CREATE USER ... WITH PASSWORD 'x'`, `CREATE LOGIN x WITH PASSWORD = 'y'`.
    fn sql_context(&self) -> bool {
        self.facts.sql_context(self.bytes, &self.line)
    }

    /// `<password>value</password>`.
    fn xml_element(&self, pos: usize) -> Option<(Syntax, Value)> {
        let b = self.bytes;
        let gt = pos + memchr::memchr(b'>', &b[pos..self.line.end])?;
        if b[gt - 1] == b'/' {
            return None;
        }
        self.element_text(gt + 1)
    }

    /// Text of an element from `from` up to the next `<`, which must open a closing tag.
    fn element_text(&self, from: usize) -> Option<(Syntax, Value)> {
        let b = self.bytes;
        let lt = from + memchr::memchr(b'<', &b[from..self.line.end])?;
        if b.get(lt + 1) != Some(&b'/') {
            return None;
        }
        let (s, e) = trim(b, from, lt);
        let value = Value {
            span: s..e,
            quoted: true,
            interpolated: false,
            after: lt,
        };
        (s < e).then_some((Syntax::Xml, value))
    }

    /// `name="password" value="x"`, `<property name="password">x</property>`,
    /// `{"name": "DB_PASSWORD", "value": "x"}`, and YAML `- name: DB_PASSWORD` + `value: x`.
    fn sibling(&self) -> Option<(Syntax, Value)> {
        let b = self.bytes;
        let ls = self.line.start;
        let mut i = self.name.start;
        if i > ls && lex::is_quote(b[i - 1]) {
            i -= 1;
        }
        let op = lex::prev_non_blank(b, i, ls)?;
        if b[op].is_ascii_alphabetic()
            && lex::word_before(b, op + 1, ls).as_deref() == Some("variable")
        {
            return self.variable_default();
        }
        if !matches!(b[op], b'=' | b':') {
            return None;
        }
        let key = lex::word_before(b, op, ls)?;
        if !SIBLING_KEYS.contains(&key.as_str()) {
            return None;
        }
        let rest = self.name.end..self.line.end;
        let near = rest.end.min(rest.start + SIBLING_REACH);
        if let Some(word) = self.facts.value_word(b, rest.start, near) {
            // As before: the first value key decides, with or without a value after it.
            if let Some(v) = self.value_after_key(word.end, rest.end) {
                return Some((Syntax::Assign, v));
            }
        }
        let after_name = lex::skip_blanks(b, self.name.end + 1, self.line.end);
        if let Some(gt) = memchr::memchr(b'>', &b[after_name.min(rest.end)..rest.end]) {
            let gt = after_name + gt;
            if b[gt - 1] != b'/' {
                return self.element_text(gt + 1);
            }
        }
        let v = self
            .facts
            .next_line_value
            .get_or_init(|| self.next_line_value())
            .clone()?;
        Some((Syntax::Assign, v))
    }

    /// The value of a `value` key on the line after this one (`- name: X` / `  value: v`);
    /// the same for every name on this line, so it is read once per line.
    fn next_line_value(&self) -> Option<Value> {
        let b = self.bytes;
        let next = following_line(b, self.facts.range.end)?;
        let shown = next.start..next.end.min(next.start + NEXT_LINE_REACH);
        let word = line::first_key_word(b, shown.clone(), VALUE_KEYS)?;
        self.value_after_key(word.end, shown.end)
    }

    /// The operator and literal value after a value key that ends at `p` (`value="x"`,
    /// `"Value": "x"`), read up to `end`.
    fn value_after_key(&self, p: usize, end: usize) -> Option<Value> {
        let b = self.bytes;
        let mut p = p;
        if p < end && lex::is_quote(b[p]) {
            p += 1;
        }
        let p = lex::skip_blanks(b, p, end);
        let (_, after) = lex::assign_op(b, p, end)?;
        let v = lex::parse_value(b, after, end)?;
        (v.quoted || self.file != FileKind::Code).then_some(v)
    }

    /// Terraform `variable "db_password" {` with `default = "x"` on one of the next lines (the
    /// same for every name on this line, so read once per line).
    fn variable_default(&self) -> Option<(Syntax, Value)> {
        self.facts
            .variable_default
            .get_or_init(|| self.read_variable_default())
            .clone()
    }

    fn read_variable_default(&self) -> Option<(Syntax, Value)> {
        let b = self.bytes;
        let mut end = self.facts.range.end;
        for _ in 0..4 {
            let next = following_line(b, end)?;
            let shown = next.start..next.end.min(next.start + NEXT_LINE_REACH);
            let default = line::first_key_word(b, shown.clone(), &["default"]);
            if let Some(v) = default.and_then(|w| self.value_after_key(w.end, shown.end)) {
                return v.quoted.then_some((Syntax::Assign, v));
            }
            if b[shown].trim_ascii() == b"}" {
                return None;
            }
            end = next.end;
        }
        None
    }

    /// `define('DB_PASSWORD', 'x')`, `put("password", "x")`, `["--password", "x"]`.
    fn pair(&self, at: usize) -> Option<(Syntax, Value)> {
        let b = self.bytes;
        if self.prose_code_span(at) {
            return None;
        }
        let open = lex::prev_non_blank(b, self.name.start - 1, self.line.start)?;
        let opens = matches!(b[open], b'(' | b'{') || (self.flag && matches!(b[open], b'[' | b','));
        if !opens {
            return None;
        }
        let v = self.value(at)?;
        let next = lex::skip_blanks(b, v.after, self.line.end);
        if !matches!(b.get(next), Some(b')' | b',' | b'}' | b']')) {
            return None;
        }
        let syntax = if self.flag {
            Syntax::Cli
        } else {
            Syntax::Assign
        };
        v.quoted.then_some((syntax, v))
    }

    /// `password("x")`, `PASSWORD('x')` (SQL): a quoted first argument.
    fn call_arg(&self, at: usize) -> Option<(Syntax, Value)> {
        if self.prose_code_span(at) {
            return None;
        }
        let text = String::from_utf8_lossy(&self.bytes[self.name.clone()]).to_ascii_lowercase();
        let first = names::words(&text).into_iter().next()?;
        if !CALLABLE_STARTS.contains(&first.as_str()) {
            return None;
        }
        quoted_arg(self.bytes, at, self.line.end).map(|v| (Syntax::Call, v))
    }

    /// In prose, the value at `at` (after blanks) is a code span: `` secret (`x`) `` is a
    /// parenthesis, not a call.
    fn prose_code_span(&self, at: usize) -> bool {
        let at = lex::skip_blanks(self.bytes, at, self.line.end);
        self.file == FileKind::Prose && self.bytes.get(at) == Some(&b'`')
    }

    /// `--password value`, `ENV DB_PASSWORD value`, SQL `PASSWORD 'value'`, `#define NAME "v"`.
    fn spaced(&self, at: usize) -> Option<(Syntax, Value)> {
        let b = self.bytes;
        if defines(b, self.facts, &self.name) {
            let v = self.value(at)?;
            return self.literal(v, Syntax::Assign, true);
        }
        if self.is_password_word()
            && let Some(found) = self.set_password_for(at)
        {
            return Some(found);
        }
        if self.flag {
            let v = self.value(at)?;
            if b[v.span.start..v.span.end].starts_with(b"-") {
                return None;
            }
            return self.literal(v, Syntax::Cli, false);
        }
        if env_line(b, self.facts) {
            let env_at = self.facts.first_non_blank(b) + 4;
            if lex::skip_blanks(b, env_at, self.line.end) == self.name.start {
                let v = self.value(at)?;
                return self.literal(v, Syntax::Assign, true);
            }
            return None;
        }
        if self.is_password_word() && b.get(at) == Some(&b'\'') && self.sql_context() {
            let v = self.value(at)?;
            return Some((Syntax::Sql, v));
        }
        None
    }
}

/// `setPassword("x")`, `withApiKey('x')`: a setter whose name, without its verb, is a
/// credential name, called with a quoted literal.
fn call_setter(
    bytes: &[u8],
    name: &Range<usize>,
    line: &Range<usize>,
    words: &[String],
) -> Option<Raw> {
    let verb = words
        .iter()
        .rposition(|w| SETTER_VERBS.contains(&w.as_str()))?;
    let rest = &words[verb + 1..];
    let mut class: NameClass = names::classify_words(rest)?;
    let at = lex::skip_blanks(bytes, name.end, line.end);
    if bytes.get(at) != Some(&b'(') {
        return None;
    }
    let mut v = quoted_arg(bytes, at + 1, line.end)?;
    if rest.last().is_some_and(|w| w == "auth") && words.iter().any(|w| w == "basic") {
        // `SetBasicAuth("user", "password")`: the password is the second argument.
        let comma = lex::skip_blanks(bytes, v.after, line.end);
        v = quoted_arg(bytes, comma + 1, line.end)?;
        class = NameClass::new(names::Kind::Password, true);
    }
    Some(Raw {
        value: String::from_utf8_lossy(&bytes[v.span.clone()]).into_owned(),
        span: v.span,
        class,
        words: rest.to_vec(),
        syntax: Syntax::Call,
        username: None,
    })
}

/// A quoted literal argument at `at`, followed by `)` or `,`.
fn quoted_arg(bytes: &[u8], at: usize, end: usize) -> Option<Value> {
    let v = lex::parse_value(bytes, at, end)?;
    let next = lex::skip_blanks(bytes, v.after, end);
    (v.quoted && !v.interpolated && matches!(bytes.get(next), Some(b')' | b','))).then_some(v)
}

/// The line after the one that ends at `end` (at its `\n`, or at the `\r` of a `\r\n`), if
/// any.
fn following_line(b: &[u8], end: usize) -> Option<Range<usize>> {
    let start = end + 1 + usize::from(b.get(end) == Some(&b'\r'));
    (start < b.len()).then(|| lex::line_around(b, start))
}

/// `from..to` without surrounding whitespace.
fn trim(b: &[u8], mut from: usize, mut to: usize) -> (usize, usize) {
    while from < to && b[from].is_ascii_whitespace() {
        from += 1;
    }
    while to > from && b[to - 1].is_ascii_whitespace() {
        to -= 1;
    }
    (from, to)
}
