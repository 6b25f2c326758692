//! CI pipelines. GitHub Actions workflows and composite actions: `env:` keys at workflow, job
//! and step level, and `secrets.NAME` / `vars.NAME` expressions anywhere in a job (or the
//! `workflow_call` secrets a reusable workflow declares). GitLab CI: `variables:` keys, global
//! and per job, and `$NAME` / `${NAME}` in a job's scripts.

use super::Consumer;
use super::index::{FileCtx, Sink};
use super::lines::{env_refs, find_line, key_line};
use regex::Regex;
use serde_norway::Value;
use std::sync::LazyLock;

fn consumer(ctx: &FileCtx, kind: &str, name: &str, workload: &str, from: usize) -> Consumer {
    Consumer {
        path: ctx.rel.to_string(),
        line: find_line(ctx.text, name, from),
        kind: kind.into(),
        name: name.into(),
        workload: Some(workload.to_string()),
    }
}

/// `secrets.NAME`, `secrets['NAME']`, `vars.NAME` inside expressions.
static EXPRESSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\b(secrets|vars)(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]\s*\])"#)
        .expect("expression regex")
});

pub fn github(ctx: &FileCtx, sink: &mut Sink) {
    let Ok(doc) = serde_norway::from_str::<Value>(ctx.text) else {
        return;
    };
    let mut seen: Vec<(String, String, String)> = Vec::new();
    let mut emit = |sink: &mut Sink, kind: &str, name: &str, workload: &str, from: usize| {
        let key = (kind.to_string(), name.to_string(), workload.to_string());
        if ctx.wanted(name) && !seen.contains(&key) {
            sink.push(consumer(ctx, kind, name, workload, from));
            seen.push(key);
        }
    };
    for key in keys(doc.get("env")) {
        emit(sink, "github-actions-env", &key, "workflow", 1);
    }
    let declared = doc
        .get("on")
        .and_then(|on| on.get("workflow_call"))
        .and_then(|wc| wc.get("secrets"));
    for key in keys(declared) {
        emit(sink, "github-actions-secret", &key, "workflow_call", 1);
    }
    let mut units: Vec<(String, &Value)> = Vec::new();
    if let Some(jobs) = doc.get("jobs").and_then(Value::as_mapping) {
        for (id, job) in jobs {
            units.push((format!("job {}", id.as_str().unwrap_or("?")), job));
        }
    }
    if let Some(runs) = doc.get("runs") {
        units.push(("action".to_string(), runs));
    }
    for (workload, job) in units {
        let id = workload.strip_prefix("job ").unwrap_or("runs");
        let at = key_line(ctx.text, id, 1);
        for key in keys(job.get("env")) {
            emit(sink, "github-actions-env", &key, &workload, at);
        }
        for step in job
            .get("steps")
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
        {
            for key in keys(step.get("env")) {
                emit(sink, "github-actions-env", &key, &workload, at);
            }
        }
        let mut strings = Vec::new();
        collect_strings(job, &mut strings);
        for s in &strings {
            for c in EXPRESSION.captures_iter(s) {
                let Some(name) = c.get(2).or_else(|| c.get(3)) else {
                    continue;
                };
                let kind = if &c[1] == "secrets" {
                    "github-actions-secret"
                } else {
                    "github-actions-var"
                };
                emit(sink, kind, name.as_str(), &workload, at);
            }
        }
    }
}

/// Top-level keys of `.gitlab-ci.yml` that are not jobs.
const GITLAB_RESERVED: [&str; 12] = [
    "stages",
    "variables",
    "include",
    "default",
    "workflow",
    "image",
    "services",
    "before_script",
    "after_script",
    "cache",
    "spec",
    "pages:deploy",
];

pub fn gitlab(ctx: &FileCtx, sink: &mut Sink) {
    let Ok(doc) = serde_norway::from_str::<Value>(ctx.text) else {
        return;
    };
    for key in keys(doc.get("variables")) {
        if ctx.wanted(&key) {
            sink.push(consumer(ctx, "gitlab-ci-variable", &key, "pipeline", 1));
        }
    }
    let Some(top) = doc.as_mapping() else { return };
    for (id, job) in top {
        let Some(id) = id.as_str() else { continue };
        if GITLAB_RESERVED.contains(&id) || !job.is_mapping() {
            continue;
        }
        let workload = format!("job {id}");
        let at = key_line(ctx.text, id, 1);
        let mut names: Vec<String> = Vec::new();
        for key in keys(job.get("variables")) {
            if ctx.wanted(&key) {
                sink.push(consumer(ctx, "gitlab-ci-variable", &key, &workload, at));
                names.push(key);
            }
        }
        let mut strings = Vec::new();
        for part in [
            "script",
            "before_script",
            "after_script",
            "variables",
            "rules",
        ] {
            if let Some(v) = job.get(part) {
                collect_strings(v, &mut strings);
            }
        }
        for s in &strings {
            for r in env_refs(s) {
                if ctx.wanted(r) && !names.iter().any(|n| n == r) {
                    sink.push(consumer(ctx, "gitlab-ci-script", r, &workload, at));
                    names.push(r.to_string());
                }
            }
        }
    }
}

/// The keys of a mapping (an `env:` or `variables:` block).
fn keys(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_mapping)
        .map(|m| {
            m.keys()
                .filter_map(|k| k.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
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
