//! The registry of known config stores: which file paths are which store, and in which format
//! each is written. Matching looks only at the end of a path, so a store is recognised wherever
//! it sits (a repository, a home directory, a git history path).

/// How a store's file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Toml,
    /// One or more YAML documents.
    Yaml,
    Ini,
    /// `KEY=value` lines (`.env`, `.npmrc`).
    Lines,
    Netrc,
    /// `scheme://user:password@host` lines.
    GitCredentials,
    Notebook,
}

impl Format {
    /// JSON text (notebooks included).
    pub fn is_json(self) -> bool {
        matches!(self, Format::Json | Format::Notebook)
    }
}

/// One known store.
#[derive(Debug, Clone, Copy)]
pub struct Store {
    /// The store's name, reported as `props.store`.
    pub name: &'static str,
    /// Path suffixes (whole components) that identify the store.
    pub suffixes: &'static [&'static str],
    pub format: Format,
    /// Paths under `$HOME` where the store lives for the current user (`--config-stores`).
    pub home_paths: &'static [&'static str],
    /// Paths under the XDG config directory (`~/.config` by default).
    pub xdg_paths: &'static [&'static str],
}

const fn store(
    name: &'static str,
    suffixes: &'static [&'static str],
    format: Format,
    home_paths: &'static [&'static str],
    xdg_paths: &'static [&'static str],
) -> Store {
    Store {
        name,
        suffixes,
        format,
        home_paths,
        xdg_paths,
    }
}

/// Every store matched by a fixed path suffix, most specific first.
pub const STORES: &[Store] = &[
    store(
        "cursor-mcp",
        &[".cursor/mcp.json"],
        Format::Json,
        &[".cursor/mcp.json"],
        &[],
    ),
    store(
        "vscode-mcp",
        &[".vscode/mcp.json", "Code/User/mcp.json"],
        Format::Json,
        &[".vscode/mcp.json"],
        &["Code/User/mcp.json"],
    ),
    store("mcp", &[".mcp.json"], Format::Json, &[".mcp.json"], &[]),
    store(
        "claude-desktop",
        &["claude_desktop_config.json"],
        Format::Json,
        &["Library/Application Support/Claude/claude_desktop_config.json"],
        &["Claude/claude_desktop_config.json"],
    ),
    store(
        "claude-code",
        &[
            ".claude.json",
            ".claude/settings.json",
            ".claude/settings.local.json",
        ],
        Format::Json,
        &[".claude.json", ".claude/settings.json"],
        &[],
    ),
    store(
        "codex-config",
        &[".codex/config.toml"],
        Format::Toml,
        &[".codex/config.toml"],
        &[],
    ),
    store(
        "codex-auth",
        &[".codex/auth.json"],
        Format::Json,
        &[".codex/auth.json"],
        &[],
    ),
    store(
        "gemini-settings",
        &[".gemini/settings.json"],
        Format::Json,
        &[".gemini/settings.json"],
        &[],
    ),
    store(
        "zed-settings",
        &["zed/settings.json"],
        Format::Json,
        &[],
        &["zed/settings.json"],
    ),
    store(
        "aider",
        &[".aider.conf.yml", ".aider.conf.yaml"],
        Format::Yaml,
        &[".aider.conf.yml"],
        &[],
    ),
    store(
        "aws-credentials",
        &[".aws/credentials"],
        Format::Ini,
        &[".aws/credentials"],
        &[],
    ),
    store(
        "aws-config",
        &[".aws/config"],
        Format::Ini,
        &[".aws/config"],
        &[],
    ),
    store(
        "docker-config",
        &[".docker/config.json"],
        Format::Json,
        &[".docker/config.json"],
        &[],
    ),
    store(
        "kubeconfig",
        &[".kube/config"],
        Format::Yaml,
        &[".kube/config"],
        &[],
    ),
    store("npmrc", &[".npmrc"], Format::Lines, &[".npmrc"], &[]),
    store("pypirc", &[".pypirc"], Format::Ini, &[".pypirc"], &[]),
    store(
        "netrc",
        &[".netrc", "_netrc"],
        Format::Netrc,
        &[".netrc"],
        &[],
    ),
    store(
        "git-credentials",
        &[".git-credentials", "git/credentials"],
        Format::GitCredentials,
        &[".git-credentials"],
        &["git/credentials"],
    ),
    store(
        "gcloud-adc",
        &["application_default_credentials.json"],
        Format::Json,
        &[],
        &["gcloud/application_default_credentials.json"],
    ),
    // Binary SQLite files: `--config-stores` reads them with `gcloud_db`; in directory scans
    // they are skipped as binary like any other database.
    store(
        "gcloud-credentials-db",
        &["gcloud/credentials.db", "gcloud/access_tokens.db"],
        Format::Json,
        &[],
        &["gcloud/credentials.db", "gcloud/access_tokens.db"],
    ),
    store(
        "terraform-state",
        &["terraform.tfstate"],
        Format::Json,
        &[],
        &[],
    ),
];

/// The dotenv store (`.env`, `.env.local`, `.env.production`...).
pub const DOTENV: Store = store("dotenv", &[], Format::Lines, &[], &[]);
/// Jupyter notebooks (`*.ipynb`).
pub const NOTEBOOK: Store = store("jupyter-notebook", &[], Format::Notebook, &[], &[]);
/// Docker Compose files.
pub const COMPOSE: Store = store("docker-compose", &[], Format::Yaml, &[], &[]);
/// Any other `*.yaml`/`*.yml`: claimed only when its documents are Kubernetes objects.
pub const KUBERNETES: Store = store("kubernetes-manifest", &[], Format::Yaml, &[], &[]);
/// The store of Kubernetes `Secret` objects.
pub const KUBERNETES_SECRET: &str = "kubernetes-secret-manifest";

/// The store a path belongs to, if any.
pub fn store_for_path(path: &str) -> Option<Store> {
    let path = path.replace('\\', "/");
    if let Some(s) = STORES.iter().find(|s| {
        s.suffixes
            .iter()
            .any(|suf| ends_with_components(&path, suf))
    }) {
        return Some(*s);
    }
    let file = path.rsplit('/').next().unwrap_or(&path);
    let lower = file.to_ascii_lowercase();
    if file == ".env" || file.starts_with(".env.") {
        return Some(DOTENV);
    }
    if lower.ends_with(".tfstate") {
        return Some(store("terraform-state", &[], Format::Json, &[], &[]));
    }
    if lower.ends_with(".ipynb") {
        return Some(NOTEBOOK);
    }
    let yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");
    if yaml && (lower.starts_with("docker-compose") || lower.starts_with("compose.")) {
        return Some(COMPOSE);
    }
    yaml.then_some(KUBERNETES)
}

/// True when `path` is `suffix` or ends with `/suffix`.
fn ends_with_components(path: &str, suffix: &str) -> bool {
    path == suffix
        || path
            .strip_suffix(suffix)
            .is_some_and(|head| head.ends_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(p: &str) -> Option<&'static str> {
        store_for_path(p).map(|s| s.name)
    }

    #[test]
    fn paths_map_to_stores() {
        assert_eq!(name("proj/.cursor/mcp.json"), Some("cursor-mcp"));
        assert_eq!(name(".mcp.json"), Some("mcp"));
        assert_eq!(name("a/b.mcp.json"), None);
        assert_eq!(name("home/.aws/credentials"), Some("aws-credentials"));
        assert_eq!(name("app/.env.production"), Some("dotenv"));
        assert_eq!(name("app/.envrc"), None);
        assert_eq!(name("nb/Analysis.ipynb"), Some("jupyter-notebook"));
        assert_eq!(name("docker-compose.prod.yml"), Some("docker-compose"));
        assert_eq!(name("deploy/app.yaml"), Some("kubernetes-manifest"));
        assert_eq!(name("src/main.rs"), None);
        assert_eq!(name("C:\\Users\\me\\.kube\\config"), Some("kubeconfig"));
    }
}
