//! AWS Query API requests (`POST` of a form body such as `Action=GetCallerIdentity&Version=…`),
//! signed with SigV4 by the `aws-sigv4` crate. Verification (`checks::aws`) and blast radius
//! (`blast::aws`) both send their requests through [`signed_post`].

use crate::verify::http::HttpRequest;
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use std::time::SystemTime;

/// The content type of every Query API request.
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// A `POST` of `body` to `url`, signed for `service` in `region` with the key pair: the request
/// carries the `X-Amz-Date`, `Authorization` (and any other signed) headers.
pub fn signed_post(
    key_id: &str,
    secret: &str,
    url: &str,
    service: &str,
    region: &str,
    body: &[u8],
) -> Result<HttpRequest, String> {
    let identity = Credentials::new(key_id, secret, None, None, "keytrace").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| e.to_string())?
        .into();
    let headers = [("content-type", FORM_CONTENT_TYPE)];
    let signable =
        SignableRequest::new("POST", url, headers.into_iter(), SignableBody::Bytes(body))
            .map_err(|e| e.to_string())?;
    let (instructions, _) = sign(signable, &params)
        .map_err(|e| e.to_string())?
        .into_parts();
    let (signed_headers, _) = instructions.into_parts();
    let mut req = HttpRequest::post(url, FORM_CONTENT_TYPE, body.to_vec());
    for h in signed_headers {
        req = req.header(h.name(), h.value());
    }
    Ok(req)
}

/// The region STS signs for: that of `sts.<region>.amazonaws.com`, otherwise `us-east-1` (the
/// global endpoint, and any override such as a test server or a proxy).
pub fn sts_region(base: &str) -> String {
    let host = base
        .split("://")
        .nth(1)
        .unwrap_or_default()
        .split(['/', ':'])
        .next()
        .unwrap_or_default();
    host.strip_prefix("sts.")
        .and_then(|h| h.strip_suffix(".amazonaws.com"))
        .filter(|r| !r.is_empty() && !r.contains('.'))
        .unwrap_or("us-east-1")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sts_region_follows_the_host() {
        assert_eq!(
            sts_region("https://sts.eu-west-1.amazonaws.com"),
            "eu-west-1"
        );
        assert_eq!(sts_region("https://sts.amazonaws.com"), "us-east-1");
        assert_eq!(sts_region("http://127.0.0.1:8080"), "us-east-1");
        assert_eq!(sts_region("https://sts.a.b.amazonaws.com"), "us-east-1");
    }

    #[test]
    fn requests_carry_a_sigv4_authorization_for_the_service_and_region() {
        let req = signed_post(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "https://sts.eu-west-1.amazonaws.com/",
            "sts",
            "eu-west-1",
            b"Action=GetCallerIdentity&Version=2011-06-15",
        )
        .unwrap();
        let auth = req
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
            .map(|(_, v)| v.clone())
            .expect("an Authorization header");
        assert!(
            auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/"),
            "{auth}"
        );
        assert!(auth.contains("/eu-west-1/sts/aws4_request"), "{auth}");
        assert!(
            req.headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("x-amz-date"))
        );
    }
}
