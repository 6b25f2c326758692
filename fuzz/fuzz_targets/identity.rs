//! Offline identity decoders (AWS, key classes, JWT, PyPI macaroons, connection strings, GCP
//! service-account JSON), called as the scanner calls them: the secret is the lossy text of a
//! byte span of the blob, and the span is whatever the matcher found (here: from the input).
//! Input: rule selector, span start and length (u16 each), then the blob.
#![no_main]

use keytrace::attribution::apply_identity;
use libfuzzer_sys::fuzz_target;

const RULES: &[(&str, &str)] = &[
    ("aws-access-key-id", "aws"),
    ("openai-project-key", "openai"),
    ("github-classic-pat", "github"),
    ("jwt", "jwt"),
    ("pypi-upload-token", "pypi"),
    ("postgres-connection-uri", "postgres"),
    ("azure-storage-connection-string", "azure"),
    ("gcp-service-account-key", "gcp"),
    ("slack-webhook-url", "slack"),
    ("generic-password", "generic"),
];

fuzz_target!(|data: &[u8]| {
    let mut input = keytrace_fuzz::Input::new(data);
    let (rule_id, provider) = keytrace_fuzz::pick(RULES, input.u8());
    let raw_start = usize::from(input.u16());
    let raw_len = usize::from(input.u16());
    let blob = input.rest();
    // Spans the matcher can produce lie inside the blob; clamp to it.
    let start = raw_start.min(blob.len());
    let end = (start + raw_len).min(blob.len());
    let secret = String::from_utf8_lossy(&blob[start..end]);
    let mut f = keytrace_fuzz::finding(rule_id, provider, "x.env", &secret);
    apply_identity(&mut f, blob, start..end);
    // The public decoder takes any span; it must clamp what lies outside the blob.
    let _ = keytrace::attribution::decode_identity(
        rule_id,
        provider,
        &secret,
        blob,
        raw_start..raw_start + raw_len,
    );
});
