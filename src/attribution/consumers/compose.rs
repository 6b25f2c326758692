//! docker-compose files: per service, `environment` (map or list), `env_file`, `build.args` and
//! any `${NAME}` interpolation; top-level `secrets` fed from the environment.

use super::Consumer;
use super::index::{FileCtx, Sink, dir_of, join_rel};
use super::lines::{env_refs, find_line, key_line};
use serde_norway::Value;

pub fn scan(ctx: &FileCtx, sink: &mut Sink) {
    let Ok(doc) = serde_norway::from_str::<Value>(ctx.text) else {
        return;
    };
    if let Some(services) = doc.get("services").and_then(Value::as_mapping) {
        for (name, service) in services {
            let Some(name) = name.as_str() else { continue };
            scan_service(ctx, sink, name, service);
        }
    }
    if let Some(secrets) = doc.get("secrets").and_then(Value::as_mapping) {
        for (secret, spec) in secrets {
            let Some(var) = spec.get("environment").and_then(Value::as_str) else {
                continue;
            };
            if ctx.wanted(var) {
                let at = key_line(ctx.text, secret.as_str().unwrap_or_default(), 1);
                let c = consumer(ctx, "compose-secret", var, secret.as_str(), at);
                sink.push(c);
            }
        }
    }
}

fn consumer(ctx: &FileCtx, kind: &str, name: &str, service: Option<&str>, from: usize) -> Consumer {
    Consumer {
        path: ctx.rel.to_string(),
        line: find_line(ctx.text, name, from),
        kind: kind.into(),
        name: name.into(),
        workload: service.map(str::to_string),
    }
}

fn scan_service(ctx: &FileCtx, sink: &mut Sink, service: &str, spec: &Value) {
    let at = key_line(ctx.text, service, 1);
    let mut direct = Vec::new();
    for (key, value) in pairs(spec.get("environment")) {
        if ctx.wanted(&key) {
            direct.push(key.clone());
            sink.push(consumer(
                ctx,
                "compose-environment",
                &key,
                Some(service),
                at,
            ));
        }
        for r in value.as_deref().map(env_refs).unwrap_or_default() {
            if ctx.wanted(r) && r != key {
                direct.push(r.to_string());
                sink.push(consumer(ctx, "compose-environment", r, Some(service), at));
            }
        }
    }
    for (key, _) in pairs(spec.get("build").and_then(|b| b.get("args"))) {
        if ctx.wanted(&key) {
            direct.push(key.clone());
            sink.push(consumer(ctx, "compose-build-arg", &key, Some(service), at));
        }
    }
    for file in env_files(spec.get("env_file")) {
        if let Some(path) = join_rel(dir_of(ctx.rel), &file) {
            let template = Consumer {
                path: ctx.rel.to_string(),
                line: find_line(ctx.text, &file, at),
                kind: "compose-env-file".into(),
                name: String::new(),
                workload: Some(service.to_string()),
            };
            sink.env_file(path, template);
        }
    }
    // Interpolations elsewhere in the service (command, image, labels, healthcheck…).
    let mut strings = Vec::new();
    collect_strings(spec, &mut strings);
    for s in strings {
        for r in env_refs(&s) {
            if ctx.wanted(r) && !direct.iter().any(|d| d == r) {
                direct.push(r.to_string());
                sink.push(consumer(ctx, "compose-interpolation", r, Some(service), at));
            }
        }
    }
}

/// `environment`/`args` as (name, value) pairs: a mapping, or a list of `NAME=value` / `NAME`.
fn pairs(v: Option<&Value>) -> Vec<(String, Option<String>)> {
    match v {
        Some(Value::Mapping(m)) => m
            .iter()
            .filter_map(|(k, v)| Some((k.as_str()?.to_string(), scalar(v))))
            .collect(),
        Some(Value::Sequence(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(|s| match s.split_once('=') {
                Some((k, v)) => (k.trim().to_string(), Some(v.to_string())),
                None => (s.trim().to_string(), None),
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `env_file`: a path, a list of paths, or a list of `{path: …}`.
fn env_files(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Sequence(items)) => items
            .iter()
            .filter_map(|i| match i {
                Value::String(s) => Some(s.clone()),
                other => other.get("path")?.as_str().map(str::to_string),
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn collect_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Sequence(items) => items.iter().for_each(|i| collect_strings(i, out)),
        Value::Mapping(m) => m.values().for_each(|i| collect_strings(i, out)),
        Value::Tagged(t) => collect_strings(&t.value, out),
        _ => {}
    }
}
