//! Listing a GitLab group's projects, subgroups included, with the GitLab REST API v4
//! (`GET /groups/{id}/projects?include_subgroups=true&with_shared=false&order_by=id&sort=asc&per_page=100&page=N`),
//! following `Link: <…>; rel="next"`, else `X-Next-Page`, until the last page. Works against
//! self-managed GitLab with its API root (`https://HOST/api/v4`). Rate limits are waited out
//! as `super::api` describes.
//!
//! The token (`Authorization: Bearer`, a personal, group or OAuth token) is sent only to the
//! API's own origin: a `next` link that points elsewhere stops the listing with an error. Only
//! projects whose `http_url_to_repo` is on that origin are cloned with the token.

use super::api::{self, ApiError};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;

/// Upper bound on pages followed (100 projects each), against a server that loops.
const MAX_PAGES: u64 = 2_000;

const PROVIDER: &str = "GitLab";

/// The default API root.
pub const DEFAULT_API_URL: &str = "https://gitlab.com/api/v4";

/// A group path's characters that stay as they are in the `:id` path segment (`/` does not).
const GROUP_ID: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// What to list.
#[derive(Debug, Clone)]
pub struct GroupQuery {
    /// API root, e.g. `https://gitlab.com/api/v4` or `https://gitlab.example.com/api/v4`.
    pub api_url: String,
    /// The group's full path (`acme`, `acme/platform`) or numeric id.
    pub group: String,
    pub token: Option<String>,
    pub include_archived: bool,
    pub include_forks: bool,
}

/// The fields of a project keytrace uses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct GitlabProject {
    pub path_with_namespace: String,
    pub http_url_to_repo: String,
    #[serde(default)]
    pub archived: bool,
    /// Present (an object) only on forks.
    #[serde(default)]
    pub forked_from_project: Option<serde_json::Value>,
}

impl GitlabProject {
    /// True for a fork of another project.
    pub fn is_fork(&self) -> bool {
        self.forked_from_project.is_some()
    }
}

/// The listing's first-page URL without its `page` parameter.
fn base_url(q: &GroupQuery) -> String {
    format!(
        "{}/groups/{}/projects?include_subgroups=true&with_shared=false&order_by=id&sort=asc&per_page=100",
        q.api_url.trim_end_matches('/'),
        utf8_percent_encode(q.group.trim_matches('/'), GROUP_ID)
    )
}

/// Every project of the group and its subgroups that passes the archived/fork filters, in
/// API order.
pub fn list_group_projects(q: &GroupQuery) -> Result<Vec<GitlabProject>, ApiError> {
    let agent = api::agent();
    let origin = api::origin_of(&q.api_url);
    let mut headers = vec![("Accept", "application/json".to_string())];
    if let Some(t) = &q.token {
        headers.push(("Authorization", format!("Bearer {t}")));
    }
    let base = base_url(q);
    let mut url = format!("{base}&page=1");
    let mut out = Vec::new();
    for _ in 0..MAX_PAGES {
        let page = api::get_page(
            &agent,
            PROVIDER,
            crate::env_vars::GITLAB_TOKEN,
            &url,
            &headers,
        )?;
        let projects: Vec<GitlabProject> = api::parse(PROVIDER, &url, &page.body)?;
        out.extend(
            projects
                .into_iter()
                .filter(|p| q.include_archived || !p.archived)
                .filter(|p| q.include_forks || !p.is_fork()),
        );
        url = match (page.next_link, page.next_page) {
            (Some(n), _) if api::origin_of(&n) != origin => {
                return Err(ApiError::ForeignLink {
                    provider: PROVIDER,
                    url: n,
                });
            }
            (Some(n), _) => n,
            (None, Some(n)) => format!("{base}&page={n}"),
            (None, None) => return Ok(out),
        };
    }
    Err(ApiError::Body {
        provider: PROVIDER,
        url,
        message: format!("more than {MAX_PAGES} pages"),
    })
}

/// True when a project's clone URL is on the API's origin, so the token may go with it.
pub fn same_origin(api_url: &str, clone_url: &str) -> bool {
    api::origin_of(api_url) == api::origin_of(clone_url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nested_group_path_is_one_encoded_segment() {
        let q = GroupQuery {
            api_url: "https://gitlab.example.com/api/v4/".into(),
            group: "acme/platform-team".into(),
            token: None,
            include_archived: false,
            include_forks: false,
        };
        assert!(
            base_url(&q)
                .starts_with("https://gitlab.example.com/api/v4/groups/acme%2Fplatform-team/projects?include_subgroups=true&"),
            "{}",
            base_url(&q)
        );
    }

    #[test]
    fn forks_are_the_projects_with_a_source() {
        let p: Vec<GitlabProject> = serde_json::from_str(
            r#"[{"path_with_namespace":"a/b","http_url_to_repo":"https://g/a/b.git","archived":false},
                {"path_with_namespace":"a/c","http_url_to_repo":"https://g/a/c.git","forked_from_project":{"id":3}},
                {"path_with_namespace":"a/d","http_url_to_repo":"https://g/a/d.git","forked_from_project":null}]"#,
        )
        .unwrap();
        assert_eq!(
            p.iter().map(GitlabProject::is_fork).collect::<Vec<_>>(),
            [false, true, false]
        );
    }
}
