//! Where each provider's requests may go, and the one check that keeps a secret from going
//! anywhere else.
//!
//! Every request carries the provider it belongs to; [`Endpoints::allow`] compares the request
//! URL's origin (scheme, host, port) with that provider's base URLs — the public ones, or the
//! explicitly configured overrides that replace them — and refuses everything else. The HTTP
//! client calls it before every send (redirects are not followed), so a bug in a provider check
//! or a hostile value in a scanned file cannot route a secret to a foreign host.

use super::provider::Provider;
use std::collections::BTreeMap;
use ureq::http::Uri;

/// Scheme, lower-case host and port of a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlOrigin {
    scheme: String,
    host: String,
    port: u16,
}

impl UrlOrigin {
    /// Parse the origin of an absolute `http`/`https` URL.
    pub fn parse(url: &str) -> Result<UrlOrigin, String> {
        let uri: Uri = url.parse().map_err(|e| format!("not a URL: {e}"))?;
        let scheme = uri
            .scheme_str()
            .ok_or("the URL has no scheme")?
            .to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "https" => 443,
            "http" => 80,
            other => return Err(format!("unsupported scheme `{other}` (use http or https)")),
        };
        let host = uri.host().ok_or("the URL has no host")?;
        if host.is_empty() {
            return Err("the URL has no host".into());
        }
        Ok(UrlOrigin {
            scheme,
            host: host.to_ascii_lowercase(),
            port: uri.port_u16().unwrap_or(default_port),
        })
    }

    pub fn host(&self) -> &str {
        &self.host
    }
}

/// A request URL that is not on its provider's allow-list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("refused to send a {provider} secret to {url}: not one of {provider}'s configured hosts")]
pub struct ForeignHost {
    pub provider: Provider,
    pub url: String,
}

/// The base URLs of every provider (defaults replaced by overrides).
#[derive(Debug, Clone)]
pub struct Endpoints {
    bases: BTreeMap<Provider, Vec<(String, UrlOrigin)>>,
}

impl Default for Endpoints {
    fn default() -> Self {
        let bases = Provider::ALL
            .into_iter()
            .map(|p| {
                let list = p
                    .default_bases()
                    .iter()
                    .map(|b| {
                        let origin = UrlOrigin::parse(b).expect("built-in base URLs parse");
                        (b.to_string(), origin)
                    })
                    .collect();
                (p, list)
            })
            .collect();
        Endpoints { bases }
    }
}

impl Endpoints {
    /// Replace a provider's base URLs with one explicitly configured URL (self-hosted or test).
    pub fn set_override(&mut self, provider: Provider, url: &str) -> Result<(), String> {
        let trimmed = url.trim().trim_end_matches('/');
        let origin = UrlOrigin::parse(trimmed)?;
        self.bases
            .insert(provider, vec![(trimmed.to_string(), origin)]);
        Ok(())
    }

    /// The base URLs of a provider, without a trailing slash, in the order to try them.
    pub fn bases(&self, provider: Provider) -> impl Iterator<Item = &str> {
        self.bases
            .get(&provider)
            .into_iter()
            .flatten()
            .map(|(b, _)| b.as_str())
    }

    /// The first base URL of a provider.
    pub fn base(&self, provider: Provider) -> &str {
        self.bases(provider).next().unwrap_or_default()
    }

    /// Allow `url` only when its origin is one of `provider`'s base URL origins.
    pub fn allow(&self, provider: Provider, url: &str) -> Result<(), ForeignHost> {
        let refused = || ForeignHost {
            provider,
            url: url.to_string(),
        };
        let origin = UrlOrigin::parse(url).map_err(|_| refused())?;
        let allowed = self
            .bases
            .get(&provider)
            .is_some_and(|list| list.iter().any(|(_, o)| *o == origin));
        if allowed { Ok(()) } else { Err(refused()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_hosts_are_allowed_only_for_their_own_provider() {
        let e = Endpoints::default();
        assert!(
            e.allow(Provider::Github, "https://api.github.com/user")
                .is_ok()
        );
        assert!(
            e.allow(Provider::Github, "https://API.GitHub.com:443/user")
                .is_ok()
        );
        assert!(
            e.allow(Provider::Openai, "https://api.github.com/user")
                .is_err()
        );
        assert!(
            e.allow(Provider::Github, "http://api.github.com/user")
                .is_err()
        );
        assert!(
            e.allow(Provider::Github, "https://api.github.com:8443/user")
                .is_err()
        );
        assert!(
            e.allow(Provider::Github, "https://api.github.com.evil.example/")
                .is_err()
        );
        assert!(e.allow(Provider::Github, "not a url").is_err());
        assert!(
            e.allow(
                Provider::Datadog,
                "https://api.datadoghq.eu/api/v1/validate"
            )
            .is_ok()
        );
    }

    #[test]
    fn an_override_replaces_the_public_host() {
        let mut e = Endpoints::default();
        e.set_override(Provider::Gitlab, "https://gitlab.internal.example/")
            .unwrap();
        assert_eq!(e.base(Provider::Gitlab), "https://gitlab.internal.example");
        assert!(
            e.allow(
                Provider::Gitlab,
                "https://gitlab.internal.example/api/v4/user"
            )
            .is_ok()
        );
        assert!(
            e.allow(Provider::Gitlab, "https://gitlab.com/api/v4/user")
                .is_err()
        );
        // Another provider does not inherit the override's host.
        assert!(
            e.allow(Provider::Github, "https://gitlab.internal.example/user")
                .is_err()
        );
    }

    #[test]
    fn overrides_must_be_http_urls_with_a_host() {
        let mut e = Endpoints::default();
        assert!(
            e.set_override(Provider::Npm, "ftp://registry.example")
                .is_err()
        );
        assert!(e.set_override(Provider::Npm, "registry.example").is_err());
        assert!(e.set_override(Provider::Npm, "http://127.0.0.1:9/").is_ok());
    }
}
