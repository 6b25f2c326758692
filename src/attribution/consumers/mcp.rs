//! MCP server configurations (`.mcp.json`, `.cursor/mcp.json`, `.vscode/mcp.json`,
//! `claude_desktop_config.json`, …): servers under `mcpServers` or `servers`, each of whose
//! `env` keys, and `${NAME}` / `${env:NAME}` in `env` values, `args`, `headers` and `url`, are
//! consumed by that server.

use super::Consumer;
use super::index::{FileCtx, Sink};
use super::lines::{env_refs, find_line, key_line};
use serde_json::Value;

pub fn scan(ctx: &FileCtx, sink: &mut Sink) {
    let Ok(doc) = serde_json::from_str::<Value>(ctx.text) else {
        return;
    };
    for table in ["mcpServers", "servers", "mcp_servers"] {
        let Some(servers) = doc.get(table).and_then(Value::as_object) else {
            continue;
        };
        for (server, spec) in servers {
            scan_server(ctx, sink, server, spec);
        }
    }
}

fn scan_server(ctx: &FileCtx, sink: &mut Sink, server: &str, spec: &Value) {
    let at = key_line(ctx.text, server, 1);
    let mut names: Vec<String> = Vec::new();
    if let Some(env) = spec.get("env").and_then(Value::as_object) {
        names.extend(env.keys().cloned());
    }
    let mut strings = Vec::new();
    for part in ["env", "args", "headers", "url", "command"] {
        if let Some(v) = spec.get(part) {
            collect(v, &mut strings);
        }
    }
    for s in &strings {
        names.extend(env_refs(s).into_iter().map(str::to_string));
    }
    names.sort();
    names.dedup();
    for name in names.into_iter().filter(|n| ctx.wanted(n)) {
        sink.push(Consumer {
            path: ctx.rel.to_string(),
            line: find_line(ctx.text, &name, at),
            kind: "mcp-server-env".into(),
            name,
            workload: Some(format!("mcp server {server}")),
        });
    }
}

fn collect(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|i| collect(i, out)),
        Value::Object(m) => m.values().for_each(|i| collect(i, out)),
        _ => {}
    }
}
