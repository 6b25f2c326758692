//! GCP service-account key files: a JSON object with `"type": "service_account"` whose
//! `client_email`, `project_id` and `private_key_id` name the principal. A finding inside such an
//! object (typically its `private_key`) gets those three fields.
//!
//! The blob is parsed as JSON (also looking inside string values that hold JSON, as in a
//! Kubernetes secret or a CI variable dump); an object is chosen only when the secret is one of its
//! values or part of one. When the blob is not valid JSON (a truncated paste, a YAML file with
//! the key embedded, escaped JSON in a string), a bounded search around the secret reads the
//! same keys, provided the `service_account` marker is within that window.

use super::Identity;
use regex::Regex;
use serde_json::{Map, Value};
use std::ops::Range;
use std::sync::LazyLock;

const MARKER: &[u8] = b"service_account";
const FIELDS: [&str; 3] = ["client_email", "project_id", "private_key_id"];
/// Bytes searched on each side of the secret when the document is not valid JSON.
const WINDOW: usize = 4096;
/// Documents larger than this are not parsed; the bounded search applies instead. The document
/// is parsed once per finding, so this bounds the cost of a blob to (findings × 64 KiB) — about
/// a second for the densest blob of that size — where 1 MiB made a hostile blob take minutes.
/// Key files are about 2.3 KiB; a Kubernetes secret or CI dump holding a few stays below.
const MAX_PARSE: usize = 64 << 10;
/// Nesting depth followed when looking for the object.
const MAX_DEPTH: usize = 32;

pub(super) fn decode(secret: &str, blob: &[u8], span: Range<usize>, out: &mut Identity) {
    if blob.len() > MAX_PARSE {
        // Parsing a large document once per finding would dominate the scan.
        bounded_search(blob, span, out);
        return;
    }
    if memchr::memmem::find(blob, MARKER).is_none() {
        return;
    }
    let needle = squash(secret);
    if needle.len() < 8 {
        return;
    }
    match serde_json::from_slice::<Value>(blob) {
        Ok(doc) => {
            if let Some(fields) = find_account(&doc, &needle, 0) {
                out.extend(fields);
            }
        }
        Err(_) => bounded_search(blob, span, out),
    }
}

/// The identity fields of the service-account object that holds the secret.
fn find_account(v: &Value, needle: &str, depth: usize) -> Option<Identity> {
    if depth > MAX_DEPTH {
        return None;
    }
    match v {
        Value::Object(obj) => {
            if obj.get("type").and_then(Value::as_str) == Some("service_account")
                && holds(obj, needle)
            {
                return Some(fields(obj));
            }
            obj.values()
                .find_map(|c| find_account(c, needle, depth + 1))
        }
        Value::Array(items) => items
            .iter()
            .find_map(|c| find_account(c, needle, depth + 1)),
        // A key file kept as a JSON string inside another document.
        Value::String(s) if s.trim_start().starts_with('{') && s.contains("service_account") => {
            let inner: Value = serde_json::from_str(s).ok()?;
            find_account(&inner, needle, depth + 1)
        }
        _ => None,
    }
}

fn fields(obj: &Map<String, Value>) -> Identity {
    FIELDS
        .iter()
        .filter_map(|k| {
            obj.get(*k)
                .filter(|v| v.is_string())
                .map(|v| ((*k).to_string(), v.clone()))
        })
        .collect()
}

/// Whether one of `obj`'s string values contains the secret, or the secret contains one of its
/// long values (a rule that captured the whole key file).
fn holds(obj: &Map<String, Value>, needle: &str) -> bool {
    obj.values().filter_map(Value::as_str).any(|s| {
        let s = squash(s);
        s.contains(needle) || (s.len() >= 16 && needle.contains(&s))
    })
}

/// Compare secrets and JSON values without the whitespace, `\n` escapes and backslashes that
/// differ between a raw file (perhaps JSON inside JSON) and its parsed form.
fn squash(s: &str) -> String {
    s.replace("\\n", "")
        .chars()
        .filter(|c| *c != '\\' && !c.is_whitespace())
        .collect()
}

static TYPE_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"\\?"type\\?"\s*:\s*\\?"service_account"#).expect("type regex"));
static FIELD_RES: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    FIELDS
        .iter()
        .map(|k| {
            let re = format!(r#"\\?"{k}\\?"\s*:\s*\\?"([^"\\\s]+)\\?""#);
            (*k, Regex::new(&re).expect("field regex"))
        })
        .collect()
});

fn bounded_search(blob: &[u8], span: Range<usize>, out: &mut Identity) {
    let lo = span.start.saturating_sub(WINDOW);
    let hi = (span.end + WINDOW).min(blob.len());
    if memchr::memmem::find(&blob[lo..hi], MARKER).is_none() {
        return;
    }
    let window = String::from_utf8_lossy(&blob[lo..hi]);
    if !TYPE_RE.is_match(&window) {
        return;
    }
    // Several key files may share the window (a dump, a list of CI variables): each field is
    // taken from the occurrence nearest to the secret, which is the one of its own object.
    // (Offsets in the lossy text can drift by invalid bytes; they only rank candidates.)
    let (start, end) = (span.start - lo, span.end - lo);
    let distance = |m: &regex::Match<'_>| {
        if m.end() <= start {
            start - m.end()
        } else {
            m.start().saturating_sub(end)
        }
    };
    for (key, re) in FIELD_RES.iter() {
        let nearest = re
            .captures_iter(&window)
            .filter_map(|c| Some((distance(&c.get(0)?), c.get(1)?.as_str().to_string())))
            .min_by_key(|(d, _)| *d);
        if let Some((_, value)) = nearest {
            out.insert((*key).to_string(), Value::String(value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEM: &str = "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\\n-----END PRIVATE KEY-----\\n";

    fn key_file(email: &str) -> String {
        format!(
            r#"{{
  "type": "service_account",
  "project_id": "acme-prod",
  "private_key_id": "0123456789abcdef0123456789abcdef01234567",
  "private_key": "{PEM}",
  "client_email": "{email}",
  "client_id": "123456789012345678901"
}}"#
        )
    }

    fn at(blob: &str, needle: &str) -> Identity {
        let start = blob.find(needle).expect("needle in blob");
        let mut out = Identity::new();
        decode(
            needle,
            blob.as_bytes(),
            start..start + needle.len(),
            &mut out,
        );
        out
    }

    #[test]
    fn private_key_in_a_key_file_names_the_account() {
        let blob = key_file("deployer@acme-prod.iam.gserviceaccount.com");
        let id = at(&blob, PEM);
        assert_eq!(
            id["client_email"],
            "deployer@acme-prod.iam.gserviceaccount.com"
        );
        assert_eq!(id["project_id"], "acme-prod");
        assert_eq!(
            id["private_key_id"],
            "0123456789abcdef0123456789abcdef01234567"
        );
        assert_eq!(id.len(), 3);
    }

    #[test]
    fn the_object_holding_the_secret_is_chosen_among_several() {
        let other = key_file("other@acme-dev.iam.gserviceaccount.com")
            .replace("acme-prod", "acme-dev")
            .replace("MIIEvQ", "MIIFzz");
        let blob = format!(
            r#"{{"accounts": [{other}, {}]}}"#,
            key_file("deployer@acme-prod.iam.gserviceaccount.com")
        );
        let id = at(&blob, PEM);
        assert_eq!(id["project_id"], "acme-prod");
    }

    #[test]
    fn a_secret_outside_the_account_object_gets_nothing() {
        let blob = format!(
            r#"{{"sa": {}, "openai": "sk-proj-Zz9Yy8Xx7Ww6Vv5Uu4"}}"#,
            key_file("d@acme-prod.iam.gserviceaccount.com")
        );
        assert!(at(&blob, "sk-proj-Zz9Yy8Xx7Ww6Vv5Uu4").is_empty());
    }

    #[test]
    fn key_file_inside_a_json_string_is_read() {
        let inner = key_file("ci@acme-prod.iam.gserviceaccount.com");
        let blob = serde_json::json!({ "data": { "key.json": inner } }).to_string();
        let secret_in_blob = PEM.replace("\\n", "\\\\n");
        let id = at(&blob, &secret_in_blob);
        assert_eq!(id["client_email"], "ci@acme-prod.iam.gserviceaccount.com");
    }

    /// Two key files in one invalid document (a variables dump): each key gets its own
    /// account, not the first one in the window.
    #[test]
    fn the_bounded_search_takes_the_fields_of_the_nearest_object() {
        let (a, b) = (
            key_file("first@acme-prod.iam.gserviceaccount.com"),
            key_file("second@acme-dev.iam.gserviceaccount.com"),
        );
        let blob = format!("A='{a}'\nB='{b}'\n");
        let first = blob.find("MIIEvQ").unwrap();
        let second = blob.rfind("MIIEvQ").unwrap();
        assert_ne!(first, second);
        for (at, want) in [
            (first, "first@acme-prod.iam.gserviceaccount.com"),
            (second, "second@acme-dev.iam.gserviceaccount.com"),
        ] {
            let mut id = Identity::new();
            bounded_search(blob.as_bytes(), at..at + 20, &mut id);
            assert_eq!(id["client_email"], want);
        }
    }

    #[test]
    fn invalid_json_falls_back_to_a_bounded_search() {
        let blob = key_file("ci@acme-prod.iam.gserviceaccount.com");
        let truncated = &blob[..blob.len() - 1];
        let id = at(truncated, PEM);
        assert_eq!(id["project_id"], "acme-prod");
        assert_eq!(id["client_email"], "ci@acme-prod.iam.gserviceaccount.com");
    }

    #[test]
    fn large_documents_use_the_bounded_search() {
        let pad = " ".repeat(MAX_PARSE);
        let blob = format!("{pad}{}", key_file("big@acme-prod.iam.gserviceaccount.com"));
        let id = at(&blob, PEM);
        assert_eq!(id["client_email"], "big@acme-prod.iam.gserviceaccount.com");
        let far = format!(
            "{}{pad}{PEM}",
            key_file("x@acme-prod.iam.gserviceaccount.com")
        );
        let start = far.rfind(PEM).unwrap();
        let mut out = Identity::new();
        decode(PEM, far.as_bytes(), start..start + PEM.len(), &mut out);
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn no_service_account_marker_means_nothing() {
        let blob = key_file("x@y.iam.gserviceaccount.com").replace("service_account", "user");
        assert!(at(&blob, PEM).is_empty());
    }
}
