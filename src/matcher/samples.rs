//! Published sample credentials: tokens printed in standards and in vendors' documentation,
//! copied into code, tests and tutorials everywhere. A secret holding one is the sample, not a
//! credential, whichever rule found it (provider rules and the generic detector alike).
//!
//! The table is data: one entry per sample with the document it comes from. Matching is
//! case-sensitive and by substring (a sample inside a longer token, such as the jwt.io payload
//! inside a JWT with another signature, is still the sample). Each entry is long and specific
//! enough that no real credential holds it by chance; a real-looking value beside it is still
//! reported (see the tests).

/// One published sample and where it is published.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// The sample text, or a distinctive part of it.
    pub text: &'static str,
    /// The document that publishes it.
    pub source: &'static str,
}

const fn s(text: &'static str, source: &'static str) -> Sample {
    Sample { text, source }
}

/// Every published sample the scanner treats as a placeholder.
pub const SAMPLES: &[Sample] = &[
    s(
        "mF_9.B5f-4.1JqM",
        "RFC 6750 §2.1–2.3, §3: example bearer token",
    ),
    s(
        "2YotnFZFEjr1zCsicMWpAA",
        "RFC 6749 §1.5, §4–5: example access token",
    ),
    s(
        "tGzv3JOkF0XG5Qx2TlKWIA",
        "RFC 6749 §1.5, §6: example refresh token",
    ),
    s(
        "SplxlOBeZQQYbYS6WxSbIA",
        "RFC 6749 §4.1: example authorization code",
    ),
    s(
        "7Fjfp0ZBr1KtDRbnfVdmIw",
        "RFC 6749 §4.2: example access token",
    ),
    s(
        "czZCaGRSa3F0MzpnWDFmQmF0M2JW",
        "RFC 6749 §2.3.1: Basic credentials of client s6BhdRkqt3",
    ),
    s(
        "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ",
        "RFC 7519 §3.1 / RFC 7515 appendix A: example JWT claims set",
    ),
    s(
        "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
        "RFC 7515 appendix A.1 (HS256 signature); RFC 7636 appendix B (code verifier)",
    ),
    s(
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "RFC 7636 appendix B: example PKCE code challenge",
    ),
    s(
        "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ",
        "jwt.io debugger: default token's payload (John Doe)",
    ),
    s(
        "SflKxwRJSf36POk6yJV_adQssw5c",
        "jwt.io debugger: default token's HS256 signature",
    ),
    s(
        "QWxhZGRpbjpvcGVuIHNlc2FtZQ",
        "RFC 7617 §2: Basic credentials Aladdin:open sesame",
    ),
    s(
        "AKIAIOSFODNN7EXAMPLE",
        "AWS IAM user guide and CLI docs: example access key id",
    ),
    s(
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AWS IAM user guide and CLI docs: example secret access key",
    ),
    s(
        "AKIAI44QH8DHBEXAMPLE",
        "AWS CLI docs (named profiles): second example access key id",
    ),
    s(
        "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
        "AWS CLI docs (named profiles): second example secret access key",
    ),
    s(
        "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
        "Stripe API reference: sample test secret key in every example",
    ),
    s(
        "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
        "Stripe API reference (before 2019): sample test secret key",
    ),
    s(
        "pk_test_TYooMQauvdEDq54NiTphI7jx",
        "Stripe docs (Stripe.js, Elements): sample test publishable key",
    ),
    s(
        "JBSWY3DPEHPK3PXP",
        "Google Authenticator wiki, Key Uri Format: example TOTP secret (base32 of \"Hello!\\xDE\\xAD\\xBE\\xEF\")",
    ),
];

/// The published sample `secret` holds, if any.
pub fn published_sample(secret: &[u8]) -> Option<&'static Sample> {
    SAMPLES
        .iter()
        .find(|s| memchr::memmem::find(secret, s.text.as_bytes()).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sample_is_recognised_inside_a_longer_value() {
        for sample in SAMPLES {
            assert!(!sample.source.is_empty());
            assert!(sample.text.len() >= 15, "{} is too short", sample.text);
            let wrapped = format!("Bearer {}\n", sample.text);
            assert_eq!(
                published_sample(wrapped.as_bytes()).map(|s| s.text),
                Some(sample.text)
            );
        }
    }

    #[test]
    fn a_value_that_differs_in_one_character_is_not_a_sample() {
        for sample in SAMPLES {
            let mut changed = sample.text.as_bytes().to_vec();
            let mid = changed.len() / 2;
            changed[mid] = if changed[mid] == b'Q' { b'R' } else { b'Q' };
            assert!(published_sample(&changed).is_none(), "{}", sample.text);
        }
        assert!(published_sample(b"sk_test_9fK2mQx7LpV3zR8tW1yBq4Zc").is_none());
    }
}
