//! JWTs: the header's `alg` and the payload's registered claims `iss`, `sub`, `aud`, `iat`,
//! `exp` (RFC 7519 section 4.1). The signature is never checked; the claims only describe what
//! the token says about itself. Claims of the wrong JSON type are left out.

use super::Identity;
use crate::matcher::validators::jwt_parts;
use serde_json::Value;

pub(super) fn decode(secret: &str, out: &mut Identity) {
    let Some((header, payload)) = jwt_parts(secret.as_bytes()) else {
        return;
    };
    let Some(alg) = header.get("alg").filter(|v| v.is_string()) else {
        return;
    };
    out.insert("alg".into(), alg.clone());
    for key in ["iss", "sub"] {
        if let Some(v) = payload.get(key).filter(|v| v.is_string()) {
            out.insert(key.into(), v.clone());
        }
    }
    if let Some(aud) = payload.get("aud").filter(|v| is_audience(v)) {
        out.insert("aud".into(), aud.clone());
    }
    for key in ["iat", "exp"] {
        if let Some(v) = payload.get(key).filter(|v| v.is_number()) {
            out.insert(key.into(), v.clone());
        }
    }
}

/// `aud` is a string or an array of strings.
fn is_audience(v: &Value) -> bool {
    match v {
        Value::String(_) => true,
        Value::Array(items) => items.iter().all(Value::is_string),
        _ => false,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde_json::json;

    /// A JWT with the given header and payload and a dummy signature.
    pub(crate) fn jwt(header: Value, payload: Value) -> String {
        let enc = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap());
        format!("{}.{}.c2lnbmF0dXJl", enc(&header), enc(&payload))
    }

    fn decoded(secret: &str) -> Identity {
        let mut out = Identity::new();
        decode(secret, &mut out);
        out
    }

    #[test]
    fn registered_claims_and_alg_are_read() {
        let t = jwt(
            json!({"alg": "RS256", "typ": "JWT"}),
            json!({"iss": "https://issuer.example", "sub": "svc-deploy", "aud": ["api", "web"],
                   "iat": 1700000000, "exp": 1700003600, "name": "ignored"}),
        );
        let id = decoded(&t);
        assert_eq!(id["alg"], "RS256");
        assert_eq!(id["iss"], "https://issuer.example");
        assert_eq!(id["sub"], "svc-deploy");
        assert_eq!(id["aud"], json!(["api", "web"]));
        assert_eq!(id["iat"], 1700000000);
        assert_eq!(id["exp"], 1700003600);
        assert!(!id.contains_key("name"));
    }

    #[test]
    fn missing_or_mistyped_claims_are_left_out() {
        let t = jwt(json!({"alg": "HS256"}), json!({"sub": 42, "exp": "soon"}));
        let id = decoded(&t);
        assert_eq!(id.len(), 1, "{id:?}");
        assert_eq!(id["alg"], "HS256");
    }

    #[test]
    fn not_a_jwt_decodes_nothing() {
        assert!(decoded("eyJhbGciOi.not-json.sig").is_empty());
        let no_alg = jwt(json!({"typ": "JWT"}), json!({"sub": "x"}));
        assert!(decoded(&no_alg).is_empty());
    }
}
