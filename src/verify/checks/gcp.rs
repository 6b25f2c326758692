//! GCP service-account keys: sign a JWT assertion (RS256) with the key's `private_key`, issued by
//! its `client_email`, and exchange it at `POST https://oauth2.googleapis.com/token`
//! (`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`). Google answers with an access
//! token only when the key exists and is enabled; keytrace drops the token unread. The token
//! endpoint is always the configured one, never the key file's `token_uri`.

use super::{json_object, settle, text, unexpected};
use crate::verify::http::{Client, HttpRequest};
use crate::verify::outcome::Outcome;
use crate::verify::plan::GcpKey;
use crate::verify::provider::Provider;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{PrivatePkcs1KeyDer, PrivatePkcs8KeyDer};

const P: Provider = Provider::Gcp;
/// The narrowest scope that any service account may request.
const SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform.read-only";
const GRANT: &str = "urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer";

pub(super) fn check(client: &Client, key: &GcpKey) -> Outcome {
    let token_url = format!("{}/token", client.endpoints().base(P));
    let now = chrono::Utc::now().timestamp();
    let assertion = match assertion(key, &token_url, now) {
        Ok(a) => a,
        Err(e) => return Outcome::unverifiable(e),
    };
    let body = format!("grant_type={GRANT}&assertion={assertion}");
    let req = HttpRequest::post(
        token_url,
        "application/x-www-form-urlencoded",
        body.into_bytes(),
    );
    let resp = match settle(client, P, &req) {
        Ok(r) => r,
        Err(o) => return o,
    };
    let body = match json_object(&resp) {
        Ok(b) => b,
        Err(o) => return o,
    };
    match resp.status {
        200 if text(&body, "/access_token").is_some() => {
            Outcome::active(Some(key.client_email.clone()))
                .with("private_key_id", key.private_key_id.clone())
        }
        400 | 401 => {
            let error = text(&body, "/error").unwrap_or_default();
            let description = text(&body, "/error_description").unwrap_or_default();
            let lower = description.to_ascii_lowercase();
            let dead = matches!(error.as_str(), "invalid_client" | "unauthorized_client")
                || (error == "invalid_grant"
                    && ["invalid jwt signature", "not found", "disabled", "deleted"]
                        .iter()
                        .any(|m| lower.contains(m)));
            if dead {
                Outcome::inactive(format!("Google says {error}: {description}"))
            } else {
                Outcome::unverifiable(format!("Google says {error}: {description}"))
            }
        }
        _ => unexpected(&resp),
    }
}

/// A signed JWT bearer assertion, valid for five minutes from `now`.
pub(crate) fn assertion(key: &GcpKey, audience: &str, now: i64) -> Result<String, String> {
    let pair = key_pair(&key.private_key_pem)?;
    let mut header = serde_json::json!({ "alg": "RS256", "typ": "JWT" });
    if let Some(kid) = &key.private_key_id {
        header["kid"] = kid.clone().into();
    }
    let claims = serde_json::json!({
        "iss": key.client_email,
        "scope": SCOPE,
        "aud": audience,
        "iat": now,
        "exp": now + 300,
    });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut sig = vec![0; pair.public().modulus_len()];
    pair.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        signing_input.as_bytes(),
        &mut sig,
    )
    .map_err(|_| "the private key could not sign".to_string())?;
    Ok(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig)))
}

/// An RSA key from PKCS#8 (`BEGIN PRIVATE KEY`, what GCP issues) or PKCS#1 PEM.
fn key_pair(pem: &str) -> Result<RsaKeyPair, String> {
    let bad = |_| "the private key is not a usable RSA key".to_string();
    if let Ok(der) = PrivatePkcs8KeyDer::from_pem_slice(pem.as_bytes()) {
        return RsaKeyPair::from_pkcs8(der.secret_pkcs8_der()).map_err(bad);
    }
    let der = PrivatePkcs1KeyDer::from_pem_slice(pem.as_bytes())
        .map_err(|_| "the private key is not PEM".to_string())?;
    RsaKeyPair::from_der(der.secret_pkcs1_der()).map_err(bad)
}
