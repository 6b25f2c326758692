//! Kubernetes manifests (any YAML with `apiVersion` and `kind`, several documents per file):
//! container `env` entries named like the key or reading it with `secretKeyRef`/`configMapKeyRef`
//! `key`, and `envFrom` of a Secret or ConfigMap that holds the key (resolved across files after
//! the walk).

use super::Consumer;
use super::index::{FileCtx, Sink};
use super::lines::{find_line, find_line_also};
use serde::Deserialize;
use serde_norway::Value;

pub fn scan(ctx: &FileCtx, sink: &mut Sink) {
    if !(ctx.text.contains("apiVersion") && ctx.text.contains("kind")) {
        return;
    }
    for de in serde_norway::Deserializer::from_str(ctx.text) {
        // A document that does not parse ends the file: later documents' offsets are unknown.
        let Ok(doc) = Value::deserialize(de) else {
            return;
        };
        scan_doc(ctx, sink, &doc);
    }
}

fn scan_doc(ctx: &FileCtx, sink: &mut Sink, doc: &Value) {
    let Some(kind) = doc.get("kind").and_then(Value::as_str) else {
        return;
    };
    let name = doc
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if kind == "Secret" || kind == "ConfigMap" {
        let keys = ["data", "stringData"]
            .iter()
            .filter_map(|k| doc.get(*k)?.as_mapping())
            .flat_map(|m| m.keys().filter_map(|k| k.as_str().map(str::to_string)));
        sink.object(name.to_string(), keys.collect::<Vec<_>>());
        return;
    }
    let mut containers = Vec::new();
    find_containers(doc, &mut containers);
    let anchor = if name.is_empty() {
        1
    } else {
        find_line(ctx.text, name, 1)
    };
    for c in containers {
        let container = c.get("name").and_then(Value::as_str).unwrap_or("?");
        let workload = format!("{kind}/{name} (container {container})");
        scan_container(ctx, sink, c, &workload, anchor);
    }
}

fn scan_container(ctx: &FileCtx, sink: &mut Sink, c: &Value, workload: &str, anchor: usize) {
    let consumer = |kind: &str, var: &str, also: &str| Consumer {
        path: ctx.rel.to_string(),
        line: find_line_also(ctx.text, var, also, anchor),
        kind: kind.into(),
        name: var.into(),
        workload: Some(workload.to_string()),
    };
    for e in c
        .get("env")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
    {
        if let Some(var) = e.get("name").and_then(Value::as_str)
            && ctx.wanted(var)
        {
            sink.push(consumer("kubernetes-env", var, "name"));
        }
        let from = e.get("valueFrom");
        for r in ["secretKeyRef", "configMapKeyRef"] {
            let key = from.and_then(|f| f.get(r)).and_then(|r| r.get("key"));
            if let Some(key) = key.and_then(Value::as_str)
                && ctx.wanted(key)
            {
                let same = e.get("name").and_then(Value::as_str) == Some(key);
                if !same {
                    sink.push(consumer("kubernetes-secret-key-ref", key, "key"));
                }
            }
        }
    }
    for e in c
        .get("envFrom")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
    {
        for r in ["secretRef", "configMapRef"] {
            if let Some(object) = e.get(r).and_then(|r| r.get("name")).and_then(Value::as_str) {
                let template = Consumer {
                    path: ctx.rel.to_string(),
                    line: find_line(ctx.text, object, anchor),
                    kind: "kubernetes-env-from".into(),
                    name: String::new(),
                    workload: Some(workload.to_string()),
                };
                sink.env_from(object.to_string(), template);
            }
        }
    }
}

/// Every container spec under `containers`/`initContainers`, at any depth (Pods, Deployments,
/// CronJobs' job templates…).
fn find_containers<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
    match v {
        Value::Mapping(m) => {
            for (k, child) in m {
                let is_list = matches!(k.as_str(), Some("containers" | "initContainers"));
                match (is_list, child.as_sequence()) {
                    (true, Some(items)) => out.extend(items.iter()),
                    _ => find_containers(child, out),
                }
            }
        }
        Value::Sequence(items) => items.iter().for_each(|i| find_containers(i, out)),
        _ => {}
    }
}
