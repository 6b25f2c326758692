//! Listing an organisation's repositories with the GitHub REST API
//! (`GET /orgs/{org}/repos?per_page=100&page=N`), following `Link: <…>; rel="next"` until the
//! last page. Works against GitHub Enterprise Server with its API root (`https://HOST/api/v3`).
//! Rate limits are waited out as `super::api` describes.
//!
//! The token is sent only to the API's own origin: a `next` link that points elsewhere stops
//! the listing with an error instead of leaking the token.

use super::api::{self, ApiError};
use serde::Deserialize;

/// Upper bound on pages followed (100 repositories each), against a server that loops.
const MAX_PAGES: usize = 2_000;

const PROVIDER: &str = "GitHub";

/// The default API root.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// What to list.
#[derive(Debug, Clone)]
pub struct OrgQuery {
    /// API root, e.g. `https://api.github.com` or `https://ghe.example.com/api/v3`.
    pub api_url: String,
    pub org: String,
    pub token: Option<String>,
    pub include_archived: bool,
    pub include_forks: bool,
}

/// The fields of a repository keytrace uses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct GithubRepo {
    pub full_name: String,
    pub clone_url: String,
    #[serde(default)]
    pub archived: bool,
    #[serde(default)]
    pub fork: bool,
}

/// Every repository of the organisation that passes the archived/fork filters, in API order.
pub fn list_org_repos(q: &OrgQuery) -> Result<Vec<GithubRepo>, ApiError> {
    let agent = api::agent();
    let api = q.api_url.trim_end_matches('/');
    let origin = api::origin_of(api);
    let mut headers = vec![
        ("Accept", "application/vnd.github+json".to_string()),
        ("X-GitHub-Api-Version", "2022-11-28".to_string()),
    ];
    if let Some(t) = &q.token {
        headers.push(("Authorization", format!("Bearer {t}")));
    }
    let mut url = format!("{api}/orgs/{}/repos?per_page=100&page=1", q.org);
    let mut out = Vec::new();
    for _ in 0..MAX_PAGES {
        let page = api::get_page(
            &agent,
            PROVIDER,
            crate::env_vars::GITHUB_TOKEN,
            &url,
            &headers,
        )?;
        let repos: Vec<GithubRepo> = api::parse(PROVIDER, &url, &page.body)?;
        out.extend(
            repos
                .into_iter()
                .filter(|r| q.include_archived || !r.archived)
                .filter(|r| q.include_forks || !r.fork),
        );
        match page.next_link {
            None => return Ok(out),
            Some(n) if api::origin_of(&n) != origin => {
                return Err(ApiError::ForeignLink {
                    provider: PROVIDER,
                    url: n,
                });
            }
            Some(n) => url = n,
        }
    }
    Err(ApiError::Body {
        provider: PROVIDER,
        url,
        message: format!("more than {MAX_PAGES} pages"),
    })
}
