//! Terraform: `variable "NAME"` declarations and `var.NAME` references in `.tf` files. A key
//! named `TF_VAR_NAME` (how Terraform reads variables from the environment) or assigned to
//! `NAME` in a `.tfvars` file feeds variable `NAME`. A reference's workload is its enclosing
//! top-level block (`resource "aws_db_instance" "main"`, `module "x"`, `provider "y"`).

use super::Consumer;
use super::index::{FileCtx, Sink};
use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;

static DECLARATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*variable\s+"([A-Za-z_][A-Za-z0-9_-]*)""#).expect("variable regex")
});
static REFERENCE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bvar\.([A-Za-z_][A-Za-z0-9_-]*)").expect("var regex"));
static BLOCK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^([a-z_]+)((?:\s+"[^"]*")*)\s*\{"#).expect("block regex"));

pub fn scan(ctx: &FileCtx, sink: &mut Sink) {
    if !ctx.rel.ends_with(".tf") {
        return;
    }
    // Terraform variable name → the finding names that feed it.
    let mut feeds: HashMap<&str, Vec<&str>> = HashMap::new();
    for n in ctx.names {
        feeds
            .entry(n.strip_prefix("TF_VAR_").unwrap_or(n))
            .or_default()
            .push(n);
    }
    let mut block: Option<String> = None;
    for (i, line) in ctx.text.lines().enumerate() {
        if let Some(c) = BLOCK.captures(line) {
            let labels: Vec<&str> = c[2].split('"').filter(|s| !s.trim().is_empty()).collect();
            block = Some(format!("{} {}", &c[1], labels.join(".")).trim().to_string());
        }
        let mut push = |kind: &str, var: &str, workload: Option<String>| {
            for name in feeds.get(var).into_iter().flatten() {
                sink.push(Consumer {
                    path: ctx.rel.to_string(),
                    line: i + 1,
                    kind: kind.into(),
                    name: name.to_string(),
                    workload: workload.clone(),
                });
            }
        };
        if let Some(c) = DECLARATION.captures(line) {
            push(
                "terraform-variable",
                &c[1],
                Some(format!("variable {}", &c[1])),
            );
            continue;
        }
        for c in REFERENCE.captures_iter(line) {
            push("terraform-reference", &c[1], block.clone());
        }
    }
}
