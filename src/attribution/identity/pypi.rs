//! PyPI API tokens: `pypi-` + base64url of a version-2 binary macaroon (libmacaroons format:
//! a version byte `2`, then fields of `type varint, length varint, data`; type 1 is the location,
//! 2 the identifier, 4 a verification id, 6 the signature, 0 ends a section).
//!
//! The identifier is PyPI's id for the token; each first-party caveat is JSON that Warehouse
//! (PyPI's server) defines: `[0, expires_at, not_before]`, `[1, [project names]]`,
//! `[2, [project ids]]`, `[3, user_id]`, `[4, oidc_provider_id]`, and the older objects
//! `{"version": 1, "permissions": "user" | {"projects": [...]}}`, `{"exp", "nbf"}` and
//! `{"project_ids": [...]}`. Caveats that do not parse are skipped.

use super::{Identity, put};
use crate::matcher::validators::b64url;
use serde_json::{Value, json};

/// Caveats read per token at most (real tokens carry a handful).
const MAX_CAVEATS: usize = 64;

pub(super) fn decode(secret: &str, out: &mut Identity) {
    let Some(body) = secret.strip_prefix("pypi-") else {
        return;
    };
    let Some(bytes) = b64url(body.as_bytes()) else {
        return;
    };
    let Some(m) = Macaroon::parse(&bytes) else {
        return;
    };
    if let Some(loc) = m
        .location
        .as_deref()
        .and_then(|l| std::str::from_utf8(l).ok())
    {
        put(out, "macaroon_location", loc);
    }
    if let Some(id) = m
        .identifier
        .as_deref()
        .and_then(|l| std::str::from_utf8(l).ok())
    {
        put(out, "macaroon_id", id);
    }
    for caveat in &m.caveats {
        if let Ok(v) = serde_json::from_slice::<Value>(caveat) {
            read_caveat(&v, out);
        }
    }
    let scope = if out.contains_key("pypi_projects") || out.contains_key("pypi_project_ids") {
        Some("project")
    } else if out.contains_key("pypi_user_id") || out.contains_key("pypi_user_scoped") {
        Some("user")
    } else {
        None
    };
    out.remove("pypi_user_scoped");
    if let Some(scope) = scope {
        put(out, "pypi_scope", scope);
    }
}

fn read_caveat(v: &Value, out: &mut Identity) {
    let mut set = |k: &str, v: &Value| {
        out.insert(k.to_string(), v.clone());
    };
    if let Some(arr) = v.as_array() {
        match (arr.first().and_then(Value::as_u64), arr.len()) {
            (Some(0), 3) if arr[1].is_number() && arr[2].is_number() => {
                set("expires_at", &arr[1]);
                set("not_before", &arr[2]);
            }
            (Some(1), 2) if is_strings(&arr[1]) => set("pypi_projects", &arr[1]),
            (Some(2), 2) if is_strings(&arr[1]) => set("pypi_project_ids", &arr[1]),
            (Some(3), 2) if arr[1].is_string() => set("pypi_user_id", &arr[1]),
            (Some(4), 2) if arr[1].is_string() => set("pypi_oidc_provider_id", &arr[1]),
            _ => {}
        }
        return;
    }
    let Some(obj) = v.as_object() else {
        return;
    };
    if obj.get("version").and_then(Value::as_u64) == Some(1) {
        match obj.get("permissions") {
            Some(Value::String(s)) if s == "user" => set("pypi_user_scoped", &json!(true)),
            Some(Value::Object(p)) => {
                if let Some(projects) = p.get("projects").filter(|v| is_strings(v)) {
                    set("pypi_projects", projects);
                }
            }
            _ => {}
        }
    } else if let (Some(exp), Some(nbf)) = (obj.get("exp"), obj.get("nbf")) {
        if exp.is_number() && nbf.is_number() {
            set("expires_at", exp);
            set("not_before", nbf);
        }
    } else if let Some(ids) = obj.get("project_ids").filter(|v| is_strings(v)) {
        set("pypi_project_ids", ids);
    }
}

fn is_strings(v: &Value) -> bool {
    v.as_array().is_some_and(|a| a.iter().all(Value::is_string))
}

/// The readable parts of a version-2 macaroon.
#[derive(Debug, Default, PartialEq)]
struct Macaroon {
    location: Option<Vec<u8>>,
    identifier: Option<Vec<u8>>,
    /// First- and third-party caveat identifiers, in order.
    caveats: Vec<Vec<u8>>,
}

impl Macaroon {
    fn parse(bytes: &[u8]) -> Option<Macaroon> {
        let mut r = Reader { bytes, pos: 0 };
        if r.byte()? != 2 {
            return None;
        }
        let mut m = Macaroon::default();
        loop {
            match r.field()? {
                (0, _) => break,
                (1, data) => m.location = Some(data.to_vec()),
                (2, data) => m.identifier = Some(data.to_vec()),
                _ => return None,
            }
        }
        m.identifier.as_ref()?;
        while r.peek()? != 0 {
            if m.caveats.len() == MAX_CAVEATS {
                return None;
            }
            let mut id = None;
            loop {
                match r.field()? {
                    (0, _) => break,
                    (2, data) => id = Some(data.to_vec()),
                    (1 | 4, _) => {}
                    _ => return None,
                }
            }
            m.caveats.push(id?);
        }
        Some(m)
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn byte(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    /// Unsigned LEB128.
    fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    /// One field: (type, data); type 0 (end of section) has no length or data.
    fn field(&mut self) -> Option<(u64, &'a [u8])> {
        let kind = self.varint()?;
        if kind == 0 {
            return Some((0, &[]));
        }
        let len = usize::try_from(self.varint()?).ok()?;
        let end = self.pos.checked_add(len)?;
        let data = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some((kind, data))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn field(out: &mut Vec<u8>, kind: u8, data: &[u8]) {
        out.push(kind);
        assert!(data.len() < 128);
        out.push(data.len() as u8);
        out.extend_from_slice(data);
    }

    /// Serialise a macaroon in the version-2 binary format, as PyPI does.
    fn token(location: &str, id: &str, caveats: &[&str]) -> String {
        let mut b = vec![2u8];
        field(&mut b, 1, location.as_bytes());
        field(&mut b, 2, id.as_bytes());
        b.push(0);
        for c in caveats {
            field(&mut b, 2, c.as_bytes());
            b.push(0);
        }
        b.push(0);
        field(&mut b, 6, &[7u8; 32]);
        format!("pypi-{}", URL_SAFE_NO_PAD.encode(b))
    }

    fn decoded(secret: &str) -> Identity {
        let mut out = Identity::new();
        decode(secret, &mut out);
        out
    }

    #[test]
    fn real_tokens_start_with_the_pypi_location_field() {
        // Every PyPI token starts `pypi-AgEIcHlwaS5vcmc`: version 2, field 1 of 8 bytes "pypi.org".
        assert!(token("pypi.org", "x", &[]).starts_with("pypi-AgEIcHlwaS5vcmc"));
    }

    #[test]
    fn project_scoped_token_reports_projects_user_and_expiry() {
        let t = token(
            "pypi.org",
            "5d1e6c1c-7d0c-4b4a-9d8f-0f2a4d9b1c11",
            &[
                r#"[1,["requests","urllib3"]]"#,
                r#"[3,"0f6d4f2e-user"]"#,
                r#"[0,1767225600,1764547200]"#,
            ],
        );
        let id = decoded(&t);
        assert_eq!(id["macaroon_location"], "pypi.org");
        assert_eq!(id["macaroon_id"], "5d1e6c1c-7d0c-4b4a-9d8f-0f2a4d9b1c11");
        assert_eq!(id["pypi_projects"], json!(["requests", "urllib3"]));
        assert_eq!(id["pypi_user_id"], "0f6d4f2e-user");
        assert_eq!(id["expires_at"], 1767225600);
        assert_eq!(id["not_before"], 1764547200);
        assert_eq!(id["pypi_scope"], "project");
    }

    #[test]
    fn legacy_user_token_is_user_scoped() {
        let t = token(
            "pypi.org",
            "abc",
            &[r#"{"version": 1, "permissions": "user"}"#],
        );
        let id = decoded(&t);
        assert_eq!(id["pypi_scope"], "user");
        assert!(!id.contains_key("pypi_user_scoped"));
    }

    #[test]
    fn legacy_project_and_expiry_objects_are_read() {
        let t = token(
            "test.pypi.org",
            "abc",
            &[
                r#"{"version": 1, "permissions": {"projects": ["demo"]}}"#,
                r#"{"exp": 2000, "nbf": 1000}"#,
                r#"{"project_ids": ["p-1"]}"#,
            ],
        );
        let id = decoded(&t);
        assert_eq!(id["macaroon_location"], "test.pypi.org");
        assert_eq!(id["pypi_projects"], json!(["demo"]));
        assert_eq!(id["pypi_project_ids"], json!(["p-1"]));
        assert_eq!(id["expires_at"], 2000);
    }

    #[test]
    fn unreadable_caveats_are_skipped_and_truncated_tokens_decode_nothing() {
        let t = token("pypi.org", "abc", &["not json", r#"[9,"x"]"#]);
        let id = decoded(&t);
        assert_eq!(id.len(), 2, "{id:?}");
        let cut = &t[..t.len() - 50];
        assert!(decoded(cut).is_empty());
        assert!(decoded("pypi-%%%").is_empty());
    }
}
