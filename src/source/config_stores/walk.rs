//! Parsed documents → leaves: every string value with its dotted key path, plus the special
//! cases that need the structure around a value (docker `auth`, kubeconfig key data, Kubernetes
//! `Secret` data, `env` lists, MCP server entries).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};

/// One string value of a store, ready to be scanned.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Leaf {
    /// Dotted key path (`mcpServers.github.env.GITHUB_TOKEN`, arrays as `[i]`).
    pub key: String,
    /// The name the value is assigned to (the last key, or an `env` entry's `name`).
    pub name: String,
    /// The text to scan.
    pub text: String,
    /// The text as written in the file, when `text` was decoded from it (base64).
    pub anchor: Option<String>,
    /// Store override (Kubernetes `Secret` objects).
    pub store: Option<&'static str>,
    /// True when the value is a password by construction (docker `auth`, netrc `password`).
    pub password: bool,
    /// The account the secret belongs to, when the store says (docker `auth`'s user part).
    pub username: Option<String>,
}

/// What a walk collects besides leaves.
#[derive(Debug, Default)]
pub struct Walk {
    pub leaves: Vec<Leaf>,
    /// Kubernetes `secretKeyRef`/`secretRef` references met on the way.
    pub k8s_refs: u64,
}

impl Walk {
    fn push(&mut self, key: &str, name: &str, text: &str) {
        self.leaves.push(Leaf {
            key: key.to_string(),
            name: name.to_string(),
            text: text.to_string(),
            ..Leaf::default()
        });
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Walk a whole document.
pub fn walk_document(doc: &Value, out: &mut Walk) {
    walk(doc, "", "", out);
}

fn walk(v: &Value, path: &str, name: &str, out: &mut Walk) {
    match v {
        Value::String(s) => out.push(path, name, s),
        Value::Number(n) => out.push(path, name, &n.to_string()),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk_item(item, &format!("{path}[{i}]"), name, out);
            }
        }
        Value::Object(map) => walk_map(map, path, out),
        Value::Bool(_) | Value::Null => {}
    }
}

/// An array item: `NAME=value` strings in an `environment` list are split at `=`.
fn walk_item(item: &Value, path: &str, name: &str, out: &mut Walk) {
    if let (Value::String(s), true) = (item, name.eq_ignore_ascii_case("environment"))
        && let Some((k, val)) = s.split_once('=')
    {
        out.push(path, k.trim(), val);
        return;
    }
    walk(item, path, name, out);
}

fn walk_map(map: &Map<String, Value>, path: &str, out: &mut Walk) {
    if map.contains_key("secretKeyRef") || map.contains_key("secretRef") {
        out.k8s_refs += 1;
    }
    // `{name: X, value: Y}` (container and exec `env` entries): Y is assigned to X.
    let entry_name = match (map.get("name"), map.get("value")) {
        (Some(Value::String(n)), Some(Value::String(_))) => Some(n.as_str()),
        _ => None,
    };
    for (k, v) in map {
        let p = join(path, k);
        if k == "name" && entry_name.is_some() {
            continue;
        }
        let name = match (k.as_str(), entry_name) {
            ("value", Some(n)) => n,
            _ => k.as_str(),
        };
        if k == "auth"
            && let Value::String(s) = v
            && let Some(leaf) = docker_auth(&p, s)
        {
            out.leaves.push(leaf);
            continue;
        }
        if k.ends_with("-data")
            && let Value::String(s) = v
            && let Some(text) = decode_base64_text(s)
        {
            out.leaves.push(Leaf {
                key: p,
                name: k.clone(),
                text,
                anchor: Some(s.clone()),
                ..Leaf::default()
            });
            continue;
        }
        walk(v, &p, name, out);
    }
}

/// Docker's `auth`: base64 of `user:password`; the password is the secret.
fn docker_auth(key: &str, raw: &str) -> Option<Leaf> {
    let decoded = decode_base64_text(raw)?;
    let (user, password) = decoded.split_once(':')?;
    Some(Leaf {
        key: key.to_string(),
        name: "password".to_string(),
        text: password.to_string(),
        anchor: Some(raw.to_string()),
        password: true,
        username: Some(user.to_string()).filter(|u| !u.is_empty()),
        ..Leaf::default()
    })
}

/// Base64 that decodes to UTF-8 text, else `None`.
pub fn decode_base64_text(raw: &str) -> Option<String> {
    let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = STANDARD.decode(compact.as_bytes()).ok()?;
    String::from_utf8(bytes).ok()
}

/// A Kubernetes object: `Secret` `data` values are decoded, `stringData` kept, and both are
/// reported under the `kubernetes-secret-manifest` store; everything else is walked as usual.
pub fn walk_kubernetes(doc: &Value, out: &mut Walk) {
    let is_secret = doc.get("kind").and_then(Value::as_str) == Some("Secret");
    let Some(map) = doc.as_object() else {
        return;
    };
    if !is_secret {
        walk_map(map, "", out);
        return;
    }
    for (k, v) in map {
        match (k.as_str(), v) {
            ("data", Value::Object(data)) => {
                for (dk, dv) in data {
                    let Value::String(raw) = dv else { continue };
                    let text = decode_base64_text(raw).unwrap_or_else(|| raw.clone());
                    out.leaves.push(Leaf {
                        key: format!("data.{dk}"),
                        name: dk.clone(),
                        text,
                        anchor: Some(raw.clone()),
                        store: Some(super::registry::KUBERNETES_SECRET),
                        ..Leaf::default()
                    });
                }
            }
            ("stringData", Value::Object(data)) => {
                let start = out.leaves.len();
                walk_map(data, "stringData", out);
                for leaf in &mut out.leaves[start..] {
                    leaf.store = Some(super::registry::KUBERNETES_SECRET);
                }
            }
            _ => walk(v, k, k, out),
        }
    }
}

/// True when a YAML document is a Kubernetes object.
pub fn is_kubernetes(doc: &Value) -> bool {
    doc.get("apiVersion").is_some_and(Value::is_string)
        && doc.get("kind").is_some_and(Value::is_string)
}

/// A Jupyter notebook: each cell's source and each output's text, joined into one text per
/// field; images and other binary outputs are skipped.
pub fn walk_notebook(doc: &Value, out: &mut Walk) {
    let Some(cells) = doc.get("cells").and_then(Value::as_array) else {
        return;
    };
    for (i, cell) in cells.iter().enumerate() {
        if let Some(src) = cell.get("source") {
            push_text(out, &format!("cells[{i}].source"), src);
        }
        let outputs = cell.get("outputs").and_then(Value::as_array);
        for (j, output) in outputs.into_iter().flatten().enumerate() {
            let base = format!("cells[{i}].outputs[{j}]");
            if let Some(t) = output.get("text") {
                push_text(out, &format!("{base}.text"), t);
            }
            let data = output.get("data").and_then(Value::as_object);
            for (mime, v) in data.into_iter().flatten() {
                if mime.starts_with("text/") || mime.ends_with("json") {
                    push_text(out, &format!("{base}.data.{mime}"), v);
                }
            }
        }
    }
}

fn push_text(out: &mut Walk, key: &str, v: &Value) {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Array(lines) => lines.iter().filter_map(Value::as_str).collect(),
        _ => return,
    };
    out.push(key, "", &text);
}

/// The MCP server a key path belongs to, described as `mcp:<name> (<program>)` for a server
/// started by a command, `mcp:<name> (remote)` for one reached by URL, else `mcp:<name>`.
///
/// Only the server's name and the command's program name (its file name, without directory)
/// are shown: arguments, URLs and environment values are where tokens are passed
/// (`--api-key=…`, `https://host/?key=…`), and this property is reported in clear text.
pub fn mcp_tool(doc: &Value, key: &str) -> Option<String> {
    for section in MCP_SECTIONS {
        let Some(rest) = key.strip_prefix(section).and_then(|r| r.strip_prefix('.')) else {
            continue;
        };
        let servers = doc.get(section)?.as_object()?;
        let (name, server) = servers
            .iter()
            .filter(|(n, _)| rest == n.as_str() || rest.starts_with(&format!("{n}.")))
            .max_by_key(|(n, _)| n.len())?;
        return Some(describe_server(name, server));
    }
    None
}

/// The sections of agent configs that list MCP servers by name.
pub const MCP_SECTIONS: [&str; 4] = ["mcpServers", "servers", "context_servers", "mcp_servers"];

/// The tool description of every MCP server of a document, by section and server name, built
/// once per document (a lookup per value would read every server again for each value).
pub fn mcp_tools(doc: &Value) -> std::collections::HashMap<(&'static str, String), String> {
    let mut out = std::collections::HashMap::new();
    for section in MCP_SECTIONS {
        let Some(servers) = doc.get(section).and_then(Value::as_object) else {
            continue;
        };
        for (name, server) in servers {
            out.insert((section, name.clone()), describe_server(name, server));
        }
    }
    out
}

/// [`mcp_tool`] answered from [`mcp_tools`]: the longest server name that the key path runs
/// through (names may hold dots).
pub fn mcp_tool_in(
    tools: &std::collections::HashMap<(&'static str, String), String>,
    key: &str,
) -> Option<String> {
    if tools.is_empty() {
        return None;
    }
    for section in MCP_SECTIONS {
        let Some(rest) = key.strip_prefix(section).and_then(|r| r.strip_prefix('.')) else {
            continue;
        };
        // Candidate names: `rest` up to each dot, and `rest` whole; the longest present wins.
        let ends = rest
            .match_indices('.')
            .map(|(i, _)| i)
            .chain([rest.len()])
            .collect::<Vec<_>>();
        return ends
            .iter()
            .rev()
            .find_map(|&e| tools.get(&(section, rest[..e].to_string())).cloned());
    }
    None
}

fn describe_server(name: &str, server: &Value) -> String {
    let command = server.get("command");
    let cmd = command.and_then(|c| c.as_str().or_else(|| c.get("path").and_then(Value::as_str)));
    if let Some(program) = cmd.and_then(program_name) {
        return format!("mcp:{name} ({program})");
    }
    let remote = ["url", "serverUrl", "httpUrl"]
        .iter()
        .any(|k| server.get(k).is_some_and(Value::is_string));
    if remote {
        format!("mcp:{name} (remote)")
    } else {
        format!("mcp:{name}")
    }
}

/// The program a command runs: the first word that is not an environment assignment
/// (`TOKEN=x npx …`), without its directory, and only if it reads like a file name.
fn program_name(command: &str) -> Option<String> {
    let word = command.split_whitespace().find(|w| !w.contains('='))?;
    let file = word.rsplit(['/', '\\']).next().unwrap_or(word);
    let plain = !file.is_empty()
        && file.len() <= 64
        && file
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._+@-".contains(&b));
    plain.then(|| file.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn leaves(doc: Value) -> Vec<(String, String, String)> {
        let mut w = Walk::default();
        walk_document(&doc, &mut w);
        w.leaves
            .into_iter()
            .map(|l| (l.key, l.name, l.text))
            .collect()
    }

    #[test]
    fn key_paths_are_dotted_with_indices() {
        let got = leaves(json!({"a": {"b": ["x", {"c": "y"}]}}));
        assert_eq!(
            got,
            vec![
                ("a.b[0]".into(), "b".into(), "x".into()),
                ("a.b[1].c".into(), "c".into(), "y".into())
            ]
        );
    }

    #[test]
    fn env_entries_take_their_name() {
        let got = leaves(json!({"env": [{"name": "API_TOKEN", "value": "v"}]}));
        assert_eq!(
            got,
            vec![("env[0].value".into(), "API_TOKEN".into(), "v".into())]
        );
    }

    #[test]
    fn docker_auth_yields_the_password() {
        // base64("bob:s3cret")
        let got = leaves(json!({"auths": {"r.io": {"auth": "Ym9iOnMzY3JldA=="}}}));
        assert_eq!(
            got,
            vec![("auths.r.io.auth".into(), "password".into(), "s3cret".into())]
        );
    }

    #[test]
    fn mcp_tool_names_the_server_and_program_only() {
        let doc = json!({"mcpServers": {
            "gh": {"command": "/usr/local/bin/npx", "args": ["-y", "srv", "--token=tok_Secret1"]},
            "gh.x": {"command": "GH_TOKEN=tok_Secret2 node srv.js"},
            "remote": {"url": "https://mcp.io/sse?key=tok_Secret3"},
            "odd": {"command": "tok$Secret4"}
        }});
        let tools = mcp_tools(&doc);
        for (key, want) in [
            ("mcpServers.gh.env.TOKEN", Some("mcp:gh (npx)")),
            ("mcpServers.gh.x.env.TOKEN", Some("mcp:gh.x (node)")),
            (
                "mcpServers.remote.headers.Authorization",
                Some("mcp:remote (remote)"),
            ),
            ("mcpServers.odd.env.T", Some("mcp:odd")),
            ("other.gh", None),
        ] {
            assert_eq!(mcp_tool(&doc, key).as_deref(), want, "{key}");
            assert_eq!(mcp_tool_in(&tools, key).as_deref(), want, "{key}");
        }
        let all = format!("{tools:?}");
        assert!(!all.contains("Secret"), "{all}");
    }
}
