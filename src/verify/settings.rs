//! `VerifyArgs` + environment → resolved verification settings (precedence: flag > env >
//! default). Bad values are usage errors that name the flag.

use super::endpoints::Endpoints;
use super::http::Pacing;
use super::provider::Provider;
use crate::cli::verify::VerifyArgs;
use std::collections::BTreeSet;
use std::time::Duration;

/// A flag value keytrace cannot use.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("{flag}: unknown provider `{name}` (verifiable: {known})")]
    UnknownProvider {
        flag: &'static str,
        name: String,
        known: String,
    },
    #[error("{flag}: `{value}` is not a usable URL: {reason}")]
    BadUrl {
        flag: &'static str,
        value: String,
        reason: String,
    },
    #[error("--verify-base-url: `{0}` is not PROVIDER=URL")]
    BadBaseUrl(String),
    #[error("--verify-rate: `{0}` must be a number of requests per second, 0 or more")]
    BadRate(f64),
}

/// Everything a verification run needs.
#[derive(Debug, Clone)]
pub struct Settings {
    pub only_verified: bool,
    /// Map what active keys can reach (`--blast-radius`).
    pub blast_radius: bool,
    pub concurrency: usize,
    pub timeout: Duration,
    pub pacing: Pacing,
    pub providers: BTreeSet<Provider>,
    pub proxy: Option<String>,
    pub endpoints: Endpoints,
}

impl Settings {
    /// Resolve flags; `env_proxy` is the value of `$HTTPS_PROXY`.
    pub fn resolve(
        args: &VerifyArgs,
        env_proxy: Option<String>,
    ) -> Result<Settings, SettingsError> {
        let allow = providers("--verify-allow", &args.verify_allow)?;
        let deny = providers("--verify-deny", &args.verify_deny)?;
        let providers = Provider::ALL
            .into_iter()
            .filter(|p| allow.is_empty() || allow.contains(p))
            .filter(|p| !deny.contains(p))
            .collect();
        if !(args.verify_rate >= 0.0 && args.verify_rate.is_finite()) {
            return Err(SettingsError::BadRate(args.verify_rate));
        }
        let proxy = args
            .verify_proxy
            .clone()
            .or(env_proxy)
            .filter(|p| !p.trim().is_empty() && !p.eq_ignore_ascii_case("none"));
        Ok(Settings {
            only_verified: args.only_verified,
            blast_radius: args.blast_radius,
            concurrency: if args.verify_concurrency == 0 {
                4
            } else {
                args.verify_concurrency
            },
            timeout: Duration::from_secs(if args.verify_timeout == 0 {
                10
            } else {
                args.verify_timeout
            }),
            pacing: Pacing {
                retries: args.verify_retries,
                backoff: Duration::from_millis(500),
                rate_per_sec: args.verify_rate,
            },
            providers,
            proxy,
            endpoints: endpoints(args)?,
        })
    }
}

fn providers(flag: &'static str, names: &[String]) -> Result<BTreeSet<Provider>, SettingsError> {
    names
        .iter()
        .filter(|n| !n.trim().is_empty())
        .map(|n| provider(flag, n))
        .collect()
}

fn provider(flag: &'static str, name: &str) -> Result<Provider, SettingsError> {
    Provider::from_name(name).ok_or_else(|| SettingsError::UnknownProvider {
        flag,
        name: name.to_string(),
        known: Provider::ALL.map(Provider::name).join(", "),
    })
}

/// Public bases, then `--github-api-url` / `--gitlab-url`, then `--verify-base-url` (last wins).
fn endpoints(args: &VerifyArgs) -> Result<Endpoints, SettingsError> {
    let mut e = Endpoints::default();
    let mut set = |flag: &'static str, p: Provider, url: &str| {
        e.set_override(p, url)
            .map_err(|reason| SettingsError::BadUrl {
                flag,
                value: url.to_string(),
                reason,
            })
    };
    if let Some(url) = &args.github_api_url {
        set("--github-api-url", Provider::Github, url)?;
    }
    if let Some(url) = &args.gitlab_url {
        set("--gitlab-url", Provider::Gitlab, url)?;
    }
    for spec in &args.verify_base_url {
        let (name, url) = spec
            .split_once('=')
            .ok_or_else(|| SettingsError::BadBaseUrl(spec.clone()))?;
        let p = provider("--verify-base-url", name)?;
        set("--verify-base-url", p, url)?;
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> VerifyArgs {
        VerifyArgs {
            verify: true,
            verify_rate: 5.0,
            ..VerifyArgs::default()
        }
    }

    #[test]
    fn allow_and_deny_pick_providers() {
        let mut a = args();
        a.verify_allow = vec!["github".into(), "openai".into()];
        a.verify_deny = vec!["openai".into()];
        let s = Settings::resolve(&a, None).unwrap();
        assert_eq!(
            s.providers.into_iter().collect::<Vec<_>>(),
            vec![Provider::Github]
        );
        a.verify_deny = vec!["acme".into()];
        let err = Settings::resolve(&a, None).unwrap_err().to_string();
        assert!(
            err.contains("--verify-deny") && err.contains("acme"),
            "{err}"
        );
    }

    #[test]
    fn the_proxy_flag_beats_the_environment_and_none_disables_it() {
        let mut a = args();
        let env = Some("http://env-proxy:3128".to_string());
        assert_eq!(Settings::resolve(&a, env.clone()).unwrap().proxy, env);
        a.verify_proxy = Some("http://flag-proxy:8080".into());
        assert_eq!(
            Settings::resolve(&a, env.clone()).unwrap().proxy.as_deref(),
            Some("http://flag-proxy:8080")
        );
        a.verify_proxy = Some("none".into());
        assert_eq!(Settings::resolve(&a, env).unwrap().proxy, None);
    }

    #[test]
    fn base_url_overrides_replace_hosts_and_reject_bad_values() {
        let mut a = args();
        a.github_api_url = Some("https://ghe.example.com/api/v3/".into());
        a.verify_base_url = vec!["npm=http://127.0.0.1:4873".into()];
        let s = Settings::resolve(&a, None).unwrap();
        assert_eq!(
            s.endpoints.base(Provider::Github),
            "https://ghe.example.com/api/v3"
        );
        assert_eq!(s.endpoints.base(Provider::Npm), "http://127.0.0.1:4873");
        a.verify_base_url = vec!["npm".into()];
        assert!(Settings::resolve(&a, None).is_err());
        a.verify_base_url = vec!["npm=ftp://x".into()];
        assert!(Settings::resolve(&a, None).is_err());
    }
}
