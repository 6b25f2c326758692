//! Flags of live verification (`--verify`), owned by the verify module.

use clap::Args;

/// The help heading of every verification flag (each flag names it: a struct-level
/// `next_help_heading` would also apply to the flags that follow the flattened struct).
pub const HEADING: &str = "Live verification (sends each secret to its own provider)";

/// Opt-in live checks of each secret against its provider's read-only identity endpoint.
#[derive(Debug, Clone, Default, Args)]
pub struct VerifyArgs {
    /// Ask each secret's provider whether it is active and whose it is (read-only, free calls).
    #[arg(long, help_heading = HEADING)]
    pub verify: bool,
    /// Report only findings whose key the provider accepted (implies --verify).
    #[arg(long, help_heading = HEADING)]
    pub only_verified: bool,
    /// Also map what each active key can reach (scopes, orgs, repositories with admin/push…),
    /// with read-only calls only; GitHub, Slack, Hugging Face, OpenAI, Anthropic.
    #[arg(long, requires = "verify", help_heading = HEADING)]
    pub blast_radius: bool,
    /// Checks running at once.
    #[arg(long, value_name = "N", default_value_t = 4, help_heading = HEADING)]
    pub verify_concurrency: usize,
    /// Seconds allowed for each request.
    #[arg(long, value_name = "SECONDS", default_value_t = 10, help_heading = HEADING)]
    pub verify_timeout: u64,
    /// Extra attempts after a 429 or 5xx answer (with exponential backoff or Retry-After).
    #[arg(long, value_name = "N", default_value_t = 2, help_heading = HEADING)]
    pub verify_retries: u32,
    /// Requests per second to any one provider (0 = no limit).
    #[arg(long, value_name = "N", default_value_t = 5.0, help_heading = HEADING)]
    pub verify_rate: f64,
    /// Verify only these providers (comma-separated, e.g. github,openai).
    #[arg(long, value_name = "PROVIDERS", value_delimiter = ',', help_heading = HEADING)]
    pub verify_allow: Vec<String>,
    /// Never verify these providers (comma-separated).
    #[arg(long, value_name = "PROVIDERS", value_delimiter = ',', help_heading = HEADING)]
    pub verify_deny: Vec<String>,
    /// HTTP(S) proxy for verification requests (default: $HTTPS_PROXY; `none` disables).
    #[arg(long, value_name = "URL", help_heading = HEADING)]
    pub verify_proxy: Option<String>,
    /// GitHub API base URL, for GitHub Enterprise Server (e.g. https://ghe.example.com/api/v3).
    #[arg(long, value_name = "URL", help_heading = HEADING)]
    pub github_api_url: Option<String>,
    /// GitLab base URL, for GitLab self-managed (e.g. https://gitlab.example.com).
    #[arg(long, value_name = "URL", help_heading = HEADING)]
    pub gitlab_url: Option<String>,
    /// Replace a provider's API base URL (self-hosted installs, tests); repeatable.
    #[arg(long, value_name = "PROVIDER=URL", help_heading = HEADING)]
    pub verify_base_url: Vec<String>,
}
