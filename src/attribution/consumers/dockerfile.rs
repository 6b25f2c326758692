//! Dockerfiles (line-based; continuation lines joined): `ARG NAME`, `ENV NAME=… / ENV NAME …`,
//! `RUN --mount=type=secret,id=NAME` and `$NAME` / `${NAME}` read by a `RUN`. The workload is
//! the build stage (`FROM … AS stage`) when named.

use super::Consumer;
use super::index::{FileCtx, Sink};
use super::lines::env_refs;
use regex::Regex;
use std::sync::LazyLock;

static SECRET_MOUNT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"--mount=[^\s]*type=secret[^\s]*").expect("secret mount regex"));
static MOUNT_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[,=])(?:id|env)=([A-Za-z_][A-Za-z0-9_]*)").expect("mount id regex")
});

pub fn scan(ctx: &FileCtx, sink: &mut Sink) {
    let mut stage: Option<String> = None;
    for (line, text) in logical_lines(ctx.text) {
        let mut words = text.split_whitespace();
        let Some(instruction) = words.next() else {
            continue;
        };
        let rest: Vec<&str> = words.collect();
        let mut push = |kind: &str, name: &str| {
            if ctx.wanted(name) {
                sink.push(Consumer {
                    path: ctx.rel.to_string(),
                    line,
                    kind: kind.into(),
                    name: name.into(),
                    workload: stage.clone(),
                });
            }
        };
        match instruction.to_ascii_uppercase().as_str() {
            "FROM" => {
                stage = rest
                    .iter()
                    .position(|w| w.eq_ignore_ascii_case("as"))
                    .and_then(|i| rest.get(i + 1))
                    .map(|s| format!("stage {s}"));
            }
            "ARG" => {
                for w in &rest {
                    push("dockerfile-arg", w.split('=').next().unwrap_or(w));
                }
            }
            "ENV" => {
                let pairs = rest.iter().any(|w| w.contains('='));
                let names: Vec<&str> = if pairs {
                    rest.iter()
                        .filter_map(|w| w.split_once('=').map(|(k, _)| k))
                        .collect()
                } else {
                    rest.first().copied().into_iter().collect()
                };
                for n in names {
                    push("dockerfile-env", n);
                }
                for r in env_refs(&rest.join(" ")) {
                    push("dockerfile-env", r);
                }
            }
            "RUN" => {
                let joined = rest.join(" ");
                for m in SECRET_MOUNT.find_iter(&joined) {
                    for c in MOUNT_ID.captures_iter(m.as_str()) {
                        push("dockerfile-secret-mount", &c[1]);
                    }
                }
                for r in env_refs(&joined) {
                    push("dockerfile-run", r);
                }
            }
            _ => {}
        }
    }
}

/// Instructions with their first line (1-based), continuation lines (`\` at the end) joined,
/// comments dropped.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let trimmed = raw.trim();
        if trimmed.starts_with('#') {
            continue;
        }
        let (body, continues) = match trimmed.strip_suffix('\\') {
            Some(b) => (b, true),
            None => (trimmed, false),
        };
        let entry = current.get_or_insert_with(|| (i + 1, String::new()));
        entry.1.push_str(body);
        entry.1.push(' ');
        if !continues {
            out.extend(current.take());
        }
    }
    out.extend(current);
    out
}
