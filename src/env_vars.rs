//! Every environment variable keytrace reads, in one place.

/// Disables colour when set to any non-empty value (<https://no-color.org>).
pub const NO_COLOR: &str = "NO_COLOR";
/// Token for `sweep --github-org` (GitHub REST API).
pub const GITHUB_TOKEN: &str = "GITHUB_TOKEN";
/// Token for `sweep --gitlab-group` (GitLab REST API and HTTPS clones from its host).
pub const GITLAB_TOKEN: &str = "GITLAB_TOKEN";
/// Overrides `$HOME` for `scan --config-stores` (the `--home` flag wins).
pub const HOME: &str = "HOME";
/// XDG config directory, searched by `scan --config-stores`.
pub const XDG_CONFIG_HOME: &str = "XDG_CONFIG_HOME";
/// Proxy for `--verify` requests (the `--verify-proxy` flag wins).
pub const HTTPS_PROXY: &str = "HTTPS_PROXY";
/// Password for `--etcd-user` (the `--etcd-password` flag wins).
pub const KEYTRACE_ETCD_PASSWORD: &str = "KEYTRACE_ETCD_PASSWORD";
/// etcd endpoint the etcd integration test uses (set by `.ci/run`).
pub const KEYTRACE_TEST_ETCD: &str = "KEYTRACE_TEST_ETCD";
/// The organisation's key for the secret digest (`secret_sha256` becomes HMAC-SHA256 under it;
/// see docs/secret-digest.md). Never printed.
pub const KEYTRACE_HASH_KEY: &str = "KEYTRACE_HASH_KEY";
/// `sha256` asks for plain, unkeyed SHA-256 secret digests; `hmac-sha256` is the default.
pub const KEYTRACE_HASH: &str = "KEYTRACE_HASH";
/// The container daemon for `scan docker://IMAGE` (`unix://PATH`; other schemes are refused).
pub const DOCKER_HOST: &str = "DOCKER_HOST";
/// Where rootless Podman keeps its socket (`$XDG_RUNTIME_DIR/podman/podman.sock`).
pub const XDG_RUNTIME_DIR: &str = "XDG_RUNTIME_DIR";
