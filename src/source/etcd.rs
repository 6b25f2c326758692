//! A live etcd v3 store as a source, read through etcd's JSON gateway (`/v3/kv/range`), page by
//! page. Read-only: the only other call is `/v3/auth/authenticate` when a user is given.
//!
//! Why the gateway and not gRPC: it ships with every etcd v3.4+ server, needs only an HTTP
//! client, and carries keys and values as base64 so binary values survive.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Keys per range request.
const PAGE: usize = 500;
/// Largest response body read (a page of large values).
const MAX_BODY: u64 = 256 << 20;

/// Why an etcd scan failed. Every variant names the address.
#[derive(Debug, thiserror::Error)]
pub enum EtcdError {
    #[error("`{0}` is not an etcd address (etcd://HOST:PORT[/PREFIX] or etcds://…)")]
    BadAddress(String),
    #[error("etcd at {addr} is unreachable: {message}")]
    Unreachable { addr: String, message: String },
    #[error("etcd at {addr}: {call} answered HTTP {status}: {body}")]
    Status {
        addr: String,
        call: &'static str,
        status: u16,
        body: String,
    },
    #[error("etcd at {addr}: unexpected answer to {call}: {message}")]
    Decode {
        addr: String,
        call: &'static str,
        message: String,
    },
    #[error("{}: cannot use as etcd CA certificate: {message}", path.display())]
    Ca { path: PathBuf, message: String },
}

/// A parsed `etcd://HOST:PORT[/PREFIX]` target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub tls: bool,
    /// `HOST:PORT`.
    pub addr: String,
    /// Key prefix to scan (empty: every key).
    pub prefix: Vec<u8>,
}

impl Target {
    /// `Some` when `s` is an etcd URL (`etcd://` or `etcds://`).
    pub fn parse(s: &str) -> Option<Result<Target, EtcdError>> {
        let (tls, rest) = if let Some(r) = s.strip_prefix("etcd://") {
            (false, r)
        } else {
            (true, s.strip_prefix("etcds://")?)
        };
        let (addr, prefix) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        // `etcd://h:p/` scans everything; `etcd://h:p/app` scans keys under `/app`.
        let prefix = if prefix == "/" { "" } else { prefix };
        if addr.is_empty() || !addr.contains(':') {
            return Some(Err(EtcdError::BadAddress(s.to_string())));
        }
        Some(Ok(Target {
            tls,
            addr: addr.to_string(),
            prefix: prefix.as_bytes().to_vec(),
        }))
    }

    /// The display path of a key: `etcd://HOST:PORT/<key>`.
    pub fn key_path(&self, key: &[u8]) -> String {
        let key = String::from_utf8_lossy(key);
        let scheme = if self.tls { "etcds" } else { "etcd" };
        match key.strip_prefix('/') {
            Some(k) => format!("{scheme}://{}/{k}", self.addr),
            None => format!("{scheme}://{}/{key}", self.addr),
        }
    }
}

/// The end of the key range that holds every key starting with `prefix` (etcd's convention:
/// the prefix with its last byte incremented; `\0` means "to the end").
pub fn range_end(prefix: &[u8]) -> Vec<u8> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return end;
        }
    }
    vec![0]
}

/// A connected (and, with a user, authenticated) client.
pub struct Client {
    agent: ureq::Agent,
    base: String,
    addr: String,
    token: Option<String>,
}

#[derive(Deserialize)]
struct RangeResponse {
    #[serde(default)]
    kvs: Vec<Kv>,
    #[serde(default)]
    more: bool,
}

#[derive(Deserialize)]
struct Kv {
    key: String,
    #[serde(default)]
    value: String,
}

impl Client {
    /// Connect to `target`; with `user`, authenticate and keep the token.
    pub fn connect(
        target: &Target,
        user: Option<(&str, &str)>,
        ca: Option<&Path>,
    ) -> Result<Client, EtcdError> {
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)));
        if let Some(path) = ca {
            config = config.tls_config(tls_with_ca(path)?);
        }
        let mut client = Client {
            agent: config.build().into(),
            base: format!(
                "{}://{}",
                if target.tls { "https" } else { "http" },
                target.addr
            ),
            addr: target.addr.clone(),
            token: None,
        };
        if let Some((name, password)) = user {
            let body = serde_json::json!({"name": name, "password": password});
            let v: serde_json::Value = client.post("/v3/auth/authenticate", &body)?;
            let token = v["token"].as_str().ok_or_else(|| EtcdError::Decode {
                addr: client.addr.clone(),
                call: "/v3/auth/authenticate",
                message: "no token".into(),
            })?;
            client.token = Some(token.to_string());
        }
        Ok(client)
    }

    /// Every key under `prefix` with its value, in key order, fetched `PAGE` keys at a time.
    pub fn for_each(
        &self,
        prefix: &[u8],
        mut f: impl FnMut(Vec<u8>, Vec<u8>),
    ) -> Result<(), EtcdError> {
        let end = range_end(prefix);
        let mut start = if prefix.is_empty() {
            vec![0]
        } else {
            prefix.to_vec()
        };
        loop {
            let body = serde_json::json!({
                "key": STANDARD.encode(&start),
                "range_end": STANDARD.encode(&end),
                "limit": PAGE,
            });
            let page: RangeResponse = self.post("/v3/kv/range", &body)?;
            let mut last = None;
            for kv in page.kvs {
                let key = self.decode(&kv.key)?;
                let value = self.decode(&kv.value)?;
                last = Some(key.clone());
                f(key, value);
            }
            match (page.more, last) {
                (true, Some(mut key)) => {
                    key.push(0);
                    start = key;
                }
                _ => return Ok(()),
            }
        }
    }

    fn decode(&self, b64: &str) -> Result<Vec<u8>, EtcdError> {
        STANDARD.decode(b64).map_err(|e| EtcdError::Decode {
            addr: self.addr.clone(),
            call: "/v3/kv/range",
            message: format!("bad base64: {e}"),
        })
    }

    fn post<T: serde::de::DeserializeOwned>(
        &self,
        call: &'static str,
        body: &serde_json::Value,
    ) -> Result<T, EtcdError> {
        let mut req = self
            .agent
            .post(format!("{}{call}", self.base))
            .header("Content-Type", "application/json");
        if let Some(token) = &self.token {
            req = req.header("Authorization", token);
        }
        let unreachable = |e: ureq::Error| EtcdError::Unreachable {
            addr: self.addr.clone(),
            message: e.to_string(),
        };
        let mut resp = req.send(body.to_string()).map_err(unreachable)?;
        let status = resp.status().as_u16();
        let text = resp
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_string()
            .map_err(unreachable)?;
        if status != 200 {
            return Err(EtcdError::Status {
                addr: self.addr.clone(),
                call,
                status,
                body: text.chars().take(200).collect(),
            });
        }
        serde_json::from_str(&text).map_err(|e| EtcdError::Decode {
            addr: self.addr.clone(),
            call,
            message: e.to_string(),
        })
    }
}

fn tls_with_ca(path: &Path) -> Result<ureq::tls::TlsConfig, EtcdError> {
    let ca_err = |message: String| EtcdError::Ca {
        path: path.to_path_buf(),
        message,
    };
    let pem = std::fs::read(path).map_err(|e| ca_err(e.to_string()))?;
    let cert = ureq::tls::Certificate::from_pem(&pem).map_err(|e| ca_err(e.to_string()))?;
    Ok(ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::new_with_certs(&[cert]))
        .build())
}

/// Kubernetes stores its objects in etcd as protobuf behind a `k8s\0` magic. Their strings
/// (a `Secret`'s data included) are stored raw, so the value is scanned as text once the
/// framing bytes are blanked: control bytes become newlines, which also keeps the binary
/// sniffing from skipping it. Other values are returned unchanged.
pub fn textify_kubernetes_protobuf(value: Vec<u8>) -> Vec<u8> {
    if !value.starts_with(b"k8s\0") {
        return value;
    }
    value
        .into_iter()
        .map(|b| match b {
            b'\t' | b'\n' | b'\r' => b,
            0..=0x1f | 0x7f => b'\n',
            _ => b,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubernetes_protobuf_values_become_text() {
        let v =
            b"k8s\0\n\x0c\n\x02v1\x12\x06Secret\x12\x1aapi\x12\x14Zq8vK3mT9xLp2RwN7bYc".to_vec();
        let t = textify_kubernetes_protobuf(v);
        assert!(!crate::blob::is_binary(&t));
        assert!(t.ends_with(b"\nZq8vK3mT9xLp2RwN7bYc"));
        assert_eq!(
            textify_kubernetes_protobuf(b"a\0b".to_vec()),
            b"a\0b".to_vec()
        );
    }

    #[test]
    fn range_end_increments_the_last_byte() {
        assert_eq!(range_end(b"/app"), b"/apq".to_vec());
        assert_eq!(range_end(b"a\xff"), b"b".to_vec());
        assert_eq!(range_end(b""), vec![0]);
        assert_eq!(range_end(b"\xff\xff"), vec![0]);
    }

    #[test]
    fn targets_parse() {
        let t = Target::parse("etcd://127.0.0.1:2379/app/")
            .unwrap()
            .unwrap();
        assert_eq!((t.tls, t.addr.as_str()), (false, "127.0.0.1:2379"));
        assert_eq!(t.prefix, b"/app/".to_vec());
        assert_eq!(t.key_path(b"/app/db"), "etcd://127.0.0.1:2379/app/db");
        let t = Target::parse("etcds://h:1").unwrap().unwrap();
        assert!(t.tls && t.prefix.is_empty());
        assert!(Target::parse("./dir").is_none());
        assert!(Target::parse("etcd://nohost").unwrap().is_err());
    }
}
