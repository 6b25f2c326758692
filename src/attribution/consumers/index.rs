//! The consumer index of one scan root: walk the tree once, read each candidate file once
//! (bounded), keep only references to the names the findings carry.
//!
//! Cost: one directory walk (`.gitignore` honoured, `.git` never entered, hidden files such as
//! `.github/` included), files of a known consumer kind only, each at most [`MAX_FILE`] bytes,
//! and an aho-corasick pass over the finding names decides whether a file is parsed at all —
//! except compose files and manifests with `envFrom`, whose references (`env_file`, a whole
//! Secret) do not spell the name.

use super::{Consumer, ci, code, compose, dockerfile, kubernetes, mcp, terraform};
use aho_corasick::AhoCorasick;
use std::collections::{BTreeSet, HashMap};
use std::io::Read;
use std::path::Path;

/// Files larger than this are not read for consumers.
pub const MAX_FILE: u64 = 1024 * 1024;
/// At most this many files are read per root.
pub const MAX_FILES: usize = 100_000;

/// What kind of consumer file a path is, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Compose,
    GithubActions,
    GitlabCi,
    Dockerfile,
    Mcp,
    Terraform,
    /// Other YAML: a Kubernetes manifest when it has `apiVersion` and `kind`.
    Yaml,
    Code(code::Language),
}

impl FileKind {
    /// The kind of `rel` (a `/`-separated path relative to the root), if it can hold consumers.
    pub fn of(rel: &str) -> Option<FileKind> {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let lower = name.to_ascii_lowercase();
        let yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");
        if yaml && (lower.starts_with("docker-compose") || lower.starts_with("compose")) {
            return Some(FileKind::Compose);
        }
        if yaml && (rel.contains(".github/workflows/") || lower.starts_with("action.")) {
            return Some(FileKind::GithubActions);
        }
        if yaml && (lower.starts_with(".gitlab-ci") || rel.starts_with(".gitlab/ci/")) {
            return Some(FileKind::GitlabCi);
        }
        if lower == "dockerfile"
            || lower.starts_with("dockerfile.")
            || lower.ends_with(".dockerfile")
            || lower == "containerfile"
        {
            return Some(FileKind::Dockerfile);
        }
        if lower.ends_with(".json")
            && (lower.contains("mcp") || lower == "claude_desktop_config.json")
        {
            return Some(FileKind::Mcp);
        }
        if lower.ends_with(".tf") || lower.ends_with(".tfvars") {
            return Some(FileKind::Terraform);
        }
        if yaml {
            return Some(FileKind::Yaml);
        }
        code::Language::of(&lower).map(FileKind::Code)
    }
}

/// One candidate file handed to a consumer family.
pub struct FileCtx<'a> {
    pub rel: &'a str,
    pub text: &'a str,
    /// The finding names that occur in this file (by the prefilter).
    pub present: &'a BTreeSet<&'a str>,
    /// Every finding name.
    pub names: &'a BTreeSet<String>,
}

impl FileCtx<'_> {
    /// Whether `name` is one of the findings' names.
    pub fn wanted(&self, name: &str) -> bool {
        self.names.contains(name)
    }
}

/// References found so far, by name and by indirection.
#[derive(Debug, Default)]
pub struct Sink {
    by_name: HashMap<String, Vec<Consumer>>,
    /// Compose `env_file` entries: (env file path relative to the root, consumer without name).
    env_files: Vec<(String, Consumer)>,
    /// Kubernetes Secret/ConfigMap name → the keys it holds.
    objects: HashMap<String, BTreeSet<String>>,
    /// Kubernetes `envFrom` references: (object name, consumer without name).
    env_from: Vec<(String, Consumer)>,
}

impl Sink {
    pub fn push(&mut self, c: Consumer) {
        self.by_name.entry(c.name.clone()).or_default().push(c);
    }
    pub fn env_file(&mut self, env_path: String, template: Consumer) {
        self.env_files.push((env_path, template));
    }
    pub fn object(&mut self, name: String, keys: impl IntoIterator<Item = String>) {
        self.objects.entry(name).or_default().extend(keys);
    }
    pub fn env_from(&mut self, object: String, template: Consumer) {
        self.env_from.push((object, template));
    }
}

/// Every consumer reference under one root.
#[derive(Debug, Default)]
pub struct ConsumerIndex {
    sink: Sink,
    /// Files read (for tests and docs: the index reads each candidate once).
    pub files_read: usize,
}

impl ConsumerIndex {
    /// Walk `root` once and index references to `names`.
    pub fn build(root: &Path, names: &BTreeSet<String>) -> ConsumerIndex {
        let mut index = ConsumerIndex::default();
        let list: Vec<&String> = names.iter().collect();
        let Ok(ac) = AhoCorasick::new(&list) else {
            return index;
        };
        let walk = ignore::WalkBuilder::new(root)
            .hidden(false)
            .git_ignore(true)
            .git_global(false)
            .git_exclude(false)
            .require_git(false)
            .follow_links(false)
            .filter_entry(|e| e.file_name() != ".git" && e.file_name() != "node_modules")
            .build();
        for entry in walk.flatten() {
            if index.files_read >= MAX_FILES {
                break;
            }
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let Ok(rel) = entry.path().strip_prefix(root) else {
                continue;
            };
            let rel = rel.to_string_lossy().replace('\\', "/");
            let Some(kind) = FileKind::of(&rel) else {
                continue;
            };
            let Some(text) = read_text(entry.path()) else {
                continue;
            };
            index.files_read += 1;
            let present: BTreeSet<&str> = ac
                .find_overlapping_iter(&text)
                .map(|m| list[m.pattern().as_usize()].as_str())
                .collect();
            let ctx = FileCtx {
                rel: &rel,
                text: &text,
                present: &present,
                names,
            };
            index.scan_file(kind, &ctx);
        }
        index
    }

    fn scan_file(&mut self, kind: FileKind, ctx: &FileCtx) {
        let sink = &mut self.sink;
        let any = !ctx.present.is_empty();
        match kind {
            FileKind::Compose => compose::scan(ctx, sink),
            FileKind::GithubActions if any => ci::github(ctx, sink),
            FileKind::GitlabCi if any => ci::gitlab(ctx, sink),
            FileKind::Dockerfile if any => dockerfile::scan(ctx, sink),
            FileKind::Mcp if any => mcp::scan(ctx, sink),
            FileKind::Terraform => terraform::scan(ctx, sink),
            FileKind::Yaml if any || ctx.text.contains("envFrom") => kubernetes::scan(ctx, sink),
            FileKind::Code(lang) if any => code::scan(lang, ctx, sink),
            _ => {}
        }
    }

    /// The consumers of `name` for a finding at `finding_path`: direct references, compose
    /// services whose `env_file` is that file, and Kubernetes `envFrom` of an object holding the
    /// name.
    pub fn consumers_of(&self, name: &str, finding_path: &str) -> Vec<Consumer> {
        let mut out: Vec<Consumer> = self.sink.by_name.get(name).cloned().unwrap_or_default();
        let named = |t: &Consumer| Consumer {
            name: name.to_string(),
            ..t.clone()
        };
        for (env_path, template) in &self.sink.env_files {
            if env_path == finding_path {
                out.push(named(template));
            }
        }
        for (object, template) in &self.sink.env_from {
            if self
                .sink
                .objects
                .get(object)
                .is_some_and(|k| k.contains(name))
            {
                out.push(named(template));
            }
        }
        out
    }
}

/// A file's text, when it is small enough and not binary.
fn read_text(path: &Path) -> Option<String> {
    let file = std::fs::File::open(path).ok()?;
    if file.metadata().ok()?.len() > MAX_FILE {
        return None;
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE).read_to_end(&mut bytes).ok()?;
    if bytes[..bytes.len().min(8000)].contains(&0) {
        return None;
    }
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// Join a path relative to `base_dir` (both `/`-separated, relative to the root) and drop `.`
/// and `..` segments; `None` when it leaves the root.
pub fn join_rel(base_dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = if rel.starts_with('/') {
        return None;
    } else {
        base_dir.split('/').filter(|s| !s.is_empty()).collect()
    };
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// The directory part of a `/`-separated relative path (`""` at the root).
pub fn dir_of(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(d, _)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_file_names() {
        assert_eq!(FileKind::of("docker-compose.yml"), Some(FileKind::Compose));
        assert_eq!(
            FileKind::of("deploy/compose.prod.yaml"),
            Some(FileKind::Compose)
        );
        assert_eq!(
            FileKind::of(".github/workflows/ci.yml"),
            Some(FileKind::GithubActions)
        );
        assert_eq!(FileKind::of(".gitlab-ci.yml"), Some(FileKind::GitlabCi));
        assert_eq!(FileKind::of("svc/Dockerfile"), Some(FileKind::Dockerfile));
        assert_eq!(FileKind::of(".cursor/mcp.json"), Some(FileKind::Mcp));
        assert_eq!(FileKind::of("infra/main.tf"), Some(FileKind::Terraform));
        assert_eq!(FileKind::of("k8s/deploy.yaml"), Some(FileKind::Yaml));
        assert_eq!(FileKind::of("README.md"), None);
    }

    #[test]
    fn relative_paths_join_inside_the_root_only() {
        assert_eq!(join_rel("svc", "./.env").as_deref(), Some("svc/.env"));
        assert_eq!(
            join_rel("svc", "../shared/.env").as_deref(),
            Some("shared/.env")
        );
        assert_eq!(join_rel("", "../x"), None);
        assert_eq!(join_rel("", "/etc/x"), None);
        assert_eq!(dir_of("a/b/c.yml"), "a/b");
        assert_eq!(dir_of("c.yml"), "");
    }
}
