//! Store formats → leaves. Structured formats go through their crates (serde_json, toml,
//! serde_norway, rust-ini) into one JSON value model; the line formats (dotenv, npmrc, netrc,
//! git credentials) are split by hand because they have no grammar beyond a separator.

use super::registry::{Format, Store};
use super::walk::{self, Leaf, Walk};
use serde::Deserialize;
use serde_json::Value;

/// A parsed store: its leaves, and the documents they came from (for MCP tool lookup).
#[derive(Debug, Default)]
pub struct Parsed {
    pub walk: Walk,
    pub docs: Vec<Value>,
}

/// Why a file of a known store could not be read structurally: what kind of error, and where.
///
/// Never the parser's own message: parsers quote the text they stopped at (`invalid type:
/// string "hunter2"`, a TOML error prints the whole offending line), and that text may be the
/// very secret the scan is about. The error goes into the report's coverage notes in clear.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}{}", at(*.line, *.column))]
pub struct ParseError {
    /// A fixed description: `syntax error`, `unexpected end of file`...
    pub kind: &'static str,
    /// 1-based line of the error, when the parser tells.
    pub line: Option<usize>,
    /// 1-based column of the error, when the parser tells.
    pub column: Option<usize>,
}

fn at(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(" at line {l}, column {c}"),
        (Some(l), None) => format!(" at line {l}"),
        _ => String::new(),
    }
}

impl ParseError {
    fn new(kind: &'static str, line: Option<usize>, column: Option<usize>) -> ParseError {
        ParseError { kind, line, column }
    }

    fn json(e: &serde_json::Error) -> ParseError {
        use serde_json::error::Category;
        let kind = match e.classify() {
            Category::Syntax => "syntax error",
            Category::Eof => "unexpected end of file",
            Category::Data => "unexpected value",
            Category::Io => "read error",
        };
        let line = (e.line() > 0).then_some(e.line());
        ParseError::new(kind, line, line.map(|_| e.column()))
    }

    fn toml(e: &toml::de::Error, text: &str) -> ParseError {
        let Some(span) = e.span() else {
            return ParseError::new("syntax error", None, None);
        };
        let (line, column) = line_column(text, span.start);
        ParseError::new("syntax error", Some(line), Some(column))
    }

    fn yaml(e: &serde_norway::Error) -> ParseError {
        let loc = e.location();
        ParseError::new(
            "syntax error",
            loc.as_ref().map(|l| l.line()),
            loc.as_ref().map(|l| l.column()),
        )
    }

    fn ini(e: &ini::ParseError) -> ParseError {
        ParseError::new("syntax error", Some(e.line), Some(e.col))
    }
}

/// 1-based line and column (in characters) of byte `offset` of `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

/// Parse `text` as `store`. `Ok(None)` means the file is not this store after all (a YAML file
/// without Kubernetes objects).
pub fn parse(store: &Store, text: &str) -> Result<Option<Parsed>, ParseError> {
    let mut parsed = Parsed::default();
    match store.format {
        Format::Json | Format::Notebook => {
            let doc: Value = serde_json::from_str(text).map_err(|e| ParseError::json(&e))?;
            if store.format == Format::Notebook {
                walk::walk_notebook(&doc, &mut parsed.walk);
            } else {
                walk::walk_document(&doc, &mut parsed.walk);
            }
            parsed.docs.push(doc);
        }
        Format::Toml => {
            let doc: toml::Value = toml::from_str(text).map_err(|e| ParseError::toml(&e, text))?;
            let doc = serde_json::to_value(doc)
                .map_err(|_| ParseError::new("unsupported value", None, None))?;
            walk::walk_document(&doc, &mut parsed.walk);
            parsed.docs.push(doc);
        }
        Format::Yaml => return parse_yaml(store, text),
        Format::Ini => parse_ini(text, &mut parsed.walk)?,
        Format::Lines => parse_lines(text, &mut parsed.walk),
        Format::Netrc => parse_netrc(text, &mut parsed.walk),
        Format::GitCredentials => parse_git_credentials(text, &mut parsed.walk),
    }
    Ok(Some(parsed))
}

fn parse_yaml(store: &Store, text: &str) -> Result<Option<Parsed>, ParseError> {
    let kubernetes = store.name == super::registry::KUBERNETES.name;
    // Any YAML file is a candidate manifest: skip the parse where no object can be.
    if kubernetes && !(text.contains("apiVersion") && text.contains("kind")) {
        return Ok(None);
    }
    let mut docs = Vec::new();
    for de in serde_norway::Deserializer::from_str(text) {
        let doc = Value::deserialize(de).map_err(|e| ParseError::yaml(&e))?;
        if !doc.is_null() {
            docs.push(doc);
        }
    }
    if kubernetes && !docs.iter().any(walk::is_kubernetes) {
        return Ok(None);
    }
    let mut parsed = Parsed::default();
    for (i, doc) in docs.iter().enumerate() {
        let start = parsed.walk.leaves.len();
        if kubernetes {
            walk::walk_kubernetes(doc, &mut parsed.walk);
        } else {
            walk::walk_document(doc, &mut parsed.walk);
        }
        if docs.len() > 1 {
            for leaf in &mut parsed.walk.leaves[start..] {
                leaf.key = format!("[{i}].{}", leaf.key);
            }
        }
    }
    parsed.docs = docs;
    Ok(Some(parsed))
}

fn parse_ini(text: &str, out: &mut Walk) -> Result<(), ParseError> {
    let ini = ini::Ini::load_from_str_noescape(text).map_err(|e| ParseError::ini(&e))?;
    for (section, props) in ini.iter() {
        for (k, v) in props.iter() {
            let key = match section {
                Some(s) => format!("{s}.{k}"),
                None => k.to_string(),
            };
            out.leaves.push(leaf(key, k, v));
        }
    }
    Ok(())
}

fn leaf(key: String, name: &str, text: &str) -> Leaf {
    Leaf {
        key,
        name: name.to_string(),
        text: text.to_string(),
        ..Leaf::default()
    }
}

/// `KEY=value` lines: `#` comments, optional `export `, optional matching quotes.
fn parse_lines(text: &str, out: &mut Walk) {
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let (k, v) = (k.trim(), v.trim());
        let v = unquote(v);
        out.leaves.push(leaf(k.to_string(), k, v));
    }
}

fn unquote(v: &str) -> &str {
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return &v[1..v.len() - 1];
        }
    }
    // An unquoted value ends at an inline comment.
    v.split(" #").next().unwrap_or(v).trim_end()
}

/// netrc: whitespace-separated tokens; `machine NAME` (or `default`) opens an entry whose
/// `login`, `password` and `account` follow.
fn parse_netrc(text: &str, out: &mut Walk) {
    let mut machine = String::from("default");
    let mut tokens = text.split_whitespace();
    while let Some(tok) = tokens.next() {
        match tok {
            "machine" => machine = tokens.next().unwrap_or_default().to_string(),
            "default" => machine = "default".into(),
            "login" | "password" | "account" => {
                let Some(v) = tokens.next() else { break };
                let mut l = leaf(format!("machine.{machine}.{tok}"), tok, v);
                l.password = tok == "password";
                out.leaves.push(l);
            }
            "macdef" => break,
            _ => {}
        }
    }
}

/// `https://user:password@host` lines; the password is reported under `<host>.password`.
fn parse_git_credentials(text: &str, out: &mut Walk) {
    for line in text.lines().map(str::trim) {
        let Some((_, rest)) = line.split_once("://") else {
            continue;
        };
        let Some((userinfo, host)) = rest.rsplit_once('@') else {
            continue;
        };
        let Some((_, password)) = userinfo.split_once(':') else {
            continue;
        };
        let host = host.split('/').next().unwrap_or(host);
        let mut l = leaf(format!("{host}.password"), "password", password);
        l.password = true;
        out.leaves.push(l);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::config_stores::registry::store_for_path;

    fn keys(path: &str, text: &str) -> Vec<(String, String)> {
        let store = store_for_path(path).unwrap();
        let parsed = parse(&store, text).unwrap().unwrap();
        parsed
            .walk
            .leaves
            .into_iter()
            .map(|l| (l.key, l.text))
            .collect()
    }

    fn kv(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    #[test]
    fn dotenv_lines() {
        let got = keys(".env", "# c\nexport A=\"x y\"\nB='q'\nC=plain # note\n");
        assert_eq!(got, vec![kv("A", "x y"), kv("B", "q"), kv("C", "plain")]);
    }

    #[test]
    fn netrc_tokens() {
        let got = keys(
            ".netrc",
            "machine h.io login bob password pw1\ndefault password pw2",
        );
        assert_eq!(
            got,
            vec![
                kv("machine.h.io.login", "bob"),
                kv("machine.h.io.password", "pw1"),
                kv("machine.default.password", "pw2")
            ]
        );
    }

    #[test]
    fn git_credentials_lines() {
        let got = keys(".git-credentials", "https://bob:tok@github.com\n");
        assert_eq!(got, vec![kv("github.com.password", "tok")]);
    }

    #[test]
    fn ini_sections() {
        let got = keys(
            ".aws/credentials",
            "[default]\naws_secret_access_key = abc\n",
        );
        assert_eq!(got, vec![kv("default.aws_secret_access_key", "abc")]);
    }

    #[test]
    fn yaml_without_kubernetes_objects_is_not_claimed() {
        let store = store_for_path("x.yaml").unwrap();
        assert!(parse(&store, "a: b\n").unwrap().is_none());
        assert!(
            parse(&store, "apiVersion: v1\nkind: ConfigMap\n")
                .unwrap()
                .is_some()
        );
    }

    #[test]
    fn malformed_json_is_an_error() {
        let store = store_for_path(".mcp.json").unwrap();
        assert!(parse(&store, "{\"a\": ").is_err());
    }

    /// Issue 13: parse errors went into coverage notes with the parser's message, which quotes
    /// the offending line (secret included). Only the kind and the position remain.
    #[test]
    fn regression_parse_errors_carry_no_source_text() {
        let secret = "tok_9fK2mQx7LpV3zR8tW1yB";
        let cases = [
            (
                ".codex/config.toml",
                format!("[a]\nkey = \"ok\"\ntoken = {secret}\n"),
                3,
            ),
            (".codex/config.toml", format!("token = \"{secret}\n"), 1),
            (".mcp.json", format!("{{\"a\": 1,\n \"t\": {secret}}}"), 2),
            (".mcp.json", format!("{{\"t\": \"{secret}\""), 1),
            (
                "docker-compose.yml",
                format!("a: b\nt: \"{secret}\n  - x: [\n"),
                2,
            ),
            (".aws/credentials", format!("[default\nkey = {secret}\n"), 1),
        ];
        for (path, text, line) in cases {
            let store = store_for_path(path).unwrap();
            let e = parse(&store, &text)
                .err()
                .unwrap_or_else(|| panic!("{path}: parses"));
            let shown = e.to_string();
            assert!(!shown.contains("tok_"), "{path}: {shown}");
            assert!(
                shown.starts_with("syntax error") || shown.starts_with("unexpected"),
                "{shown}"
            );
            assert!(e.line.is_some_and(|l| l >= line), "{path}: {e:?}");
            assert!(shown.contains("line"), "{shown}");
        }
    }
}
