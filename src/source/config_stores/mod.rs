//! Config stores: known credential and agent config files (MCP servers, `.env`, docker,
//! kubeconfig, cloud CLIs, notebooks, Kubernetes manifests), parsed structurally.
//!
//! Why structurally: a plain-text scan finds a key but not where it is used. Parsing tells which
//! key path holds it (`mcpServers.github.env.GITHUB_TOKEN`), which tool consumes it (the MCP
//! server's command), and lets encoded values (docker `auth`, Kubernetes `Secret` data,
//! kubeconfig `*-data`) be decoded before matching. Flow: path → [`registry`] store → [`parse`]
//! into leaves ([`walk`]) → [`findings`]. A file of a known store that does not parse falls back
//! to the plain-text scan, and the fallback is counted.

pub mod findings;
pub mod gcloud_db;
pub mod home;
pub mod locate;
pub mod parse;
pub mod registry;
pub mod walk;

pub use findings::{NAMED_SECRET_ID, descriptors};

use findings::Claim;

use crate::blob::Origin;
use crate::coverage::{Coverage, SkipReason};
use crate::finding::{Finding, LineIndex};
use crate::matcher::{Matcher, RuleSet};
use std::collections::HashMap;

/// Largest store file parsed structurally. A parsed document, its token map and its values take
/// about 35 times the file's size (a 193 MB `terraform.tfstate` peaked at 6.6 GB), so a larger
/// file is scanned as plain text instead, which finds every provider key in linear memory.
pub const MAX_STRUCTURED_BYTES: usize = 8 << 20;

/// Claim a file whose name marks it as a known config store and scan it structurally.
/// Returns `None` for any other file (it is then scanned as plain text).
pub fn structured_scan(
    set: &RuleSet,
    matcher: &mut Matcher<'_>,
    bytes: &[u8],
    origin: &Origin,
    coverage: &Coverage,
) -> Option<Vec<Finding>> {
    let store = registry::store_for_path(&origin.path)?;
    if bytes.len() > MAX_STRUCTURED_BYTES {
        coverage.note(format!(
            "{}: larger than the {} MiB structured-parsing limit; scanned as plain text",
            origin.path,
            MAX_STRUCTURED_BYTES >> 20
        ));
        coverage.skip(SkipReason::ParseFallback);
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let parsed = match parse::parse(&store, text) {
        Ok(Some(p)) => p,
        Ok(None) => return None,
        // Any YAML file is a candidate manifest; most that fail to parse are templates.
        Err(_) if store.name == registry::KUBERNETES.name => return None,
        Err(e) => {
            coverage.note(format!(
                "{}: not valid {} ({e}); scanned as plain text",
                origin.path, store.name
            ));
            coverage.skip(SkipReason::ParseFallback);
            return None;
        }
    };
    for _ in 0..parsed.walk.k8s_refs {
        coverage.reference("kubernetes-secret-ref");
    }
    let index = LineIndex::new(bytes);
    let ctx = findings::Ctx {
        set,
        bytes,
        index: &index,
        origin,
        coverage,
        store: store.name,
    };
    let mut base: Vec<(Finding, Claim)> =
        crate::detect::findings_in_blob(set, matcher, bytes, origin, coverage)
            .into_iter()
            .map(|f| (f, Claim::Free))
            .collect();
    base.sort_by_key(|(f, _)| findings::start_of(f));
    let mut locator = locate::Locator::new(bytes, store.format.is_json());
    let mut cursor = 0;
    let mut out = Vec::new();
    let tools = mcp_tools(&parsed.docs);
    for leaf in &parsed.walk.leaves {
        let tool = walk::mcp_tool_in(&tools, &leaf.key);
        out.extend(findings::leaf_findings(
            &ctx,
            matcher,
            leaf,
            tool,
            &mut locator,
            &mut cursor,
            &mut base,
        ));
    }
    if locator.exhausted() {
        coverage.note(format!(
            "{}: too many values to place; some config-store findings point at the start of \
             the file",
            origin.path
        ));
    }
    // A plain-text finding that a decoded or unescaped value also produced is the same secret at
    // the same place: keep the one with the key path.
    let key = |f: &Finding| {
        (
            f.props.secret_sha256.clone(),
            f.location.start_line,
            f.location.start_column,
        )
    };
    let produced: std::collections::HashSet<_> = out.iter().map(key).collect();
    for (mut f, state) in base {
        if state == Claim::Superseded || produced.contains(&key(&f)) {
            continue;
        }
        if state == Claim::Free {
            f.props.store = Some(
                origin
                    .store
                    .clone()
                    .unwrap_or_else(|| store.name.to_string()),
            );
        }
        out.push(f);
    }
    Some(out)
}

/// The MCP tools of a store's document, when it has exactly one (multi-document YAML files are
/// not agent configs).
fn mcp_tools(docs: &[serde_json::Value]) -> HashMap<(&'static str, String), String> {
    match docs {
        [doc] => walk::mcp_tools(doc),
        _ => HashMap::new(),
    }
}
