//! AWS: STS `GetCallerIdentity` (`POST https://sts.amazonaws.com/`, form body
//! `Action=GetCallerIdentity&Version=2011-06-15`, SigV4 for `us-east-1`/`sts`). It needs no IAM
//! permission, costs nothing and changes nothing; the XML answer names the account and the ARN.

use super::sigv4::{self, SigningInput};
use super::{fetch_with, transient, unexpected};
use crate::verify::http::{Client, HttpRequest, HttpResponse};
use crate::verify::outcome::Outcome;
use crate::verify::provider::Provider;
use regex::Regex;
use std::sync::LazyLock;
use ureq::http::Uri;

const P: Provider = Provider::Aws;
const BODY: &str = "Action=GetCallerIdentity&Version=2011-06-15";
const CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";

pub(super) fn check(client: &Client, key_id: &str, secret: &str) -> Outcome {
    let base = client.endpoints().base(P);
    let Some(host) = host_header(base) else {
        return Outcome::unverifiable("the STS base URL has no host");
    };
    let amz_date = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let region = region_of(&host);
    let headers = [
        ("content-type", CONTENT_TYPE),
        ("host", host.as_str()),
        ("x-amz-date", amz_date.as_str()),
    ];
    let auth = sigv4::authorization(&SigningInput {
        method: "POST",
        path: "/",
        query: "",
        headers: &headers,
        payload: BODY.as_bytes(),
        region: &region,
        service: "sts",
        amz_date: &amz_date,
        key_id,
        secret,
    });
    let req = HttpRequest::post(format!("{base}/"), CONTENT_TYPE, BODY.as_bytes().to_vec())
        .header("X-Amz-Date", amz_date.as_str())
        .header("Authorization", auth);
    let resp = match fetch_with(client, P, &req, throttled) {
        Ok(r) => r,
        Err(o) => return o,
    };
    if let Some(o) = transient(&resp) {
        return o;
    }
    read(&resp)
}

/// STS signals throttling as HTTP 400 with code `Throttling`.
fn throttled(resp: &HttpResponse) -> bool {
    resp.status == 400 && xml_field(resp, "Code").as_deref() == Some("Throttling")
}

fn read(resp: &HttpResponse) -> Outcome {
    match resp.status {
        200 => match xml_field(resp, "Arn") {
            Some(arn) => Outcome::active(Some(arn))
                .with("account", xml_field(resp, "Account"))
                .with("user_id", xml_field(resp, "UserId")),
            None => Outcome::unverifiable("STS answered without an Arn"),
        },
        400 | 403 => match xml_field(resp, "Code").as_deref() {
            Some("InvalidClientTokenId") => {
                Outcome::inactive("AWS does not know this access key id (deleted or never issued)")
            }
            Some("ExpiredToken") => Outcome::inactive("AWS says the credentials expired"),
            Some("SignatureDoesNotMatch") => {
                Outcome::unverifiable("the secret access key does not belong to this access key id")
            }
            Some("Throttling") => Outcome::unverifiable("throttled by STS after retries"),
            _ => unexpected(resp),
        },
        _ => unexpected(resp),
    }
}

/// The text of the first `<name>…</name>` leaf element of an STS XML answer.
fn xml_field(resp: &HttpResponse, name: &str) -> Option<String> {
    static LEAF: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"<([A-Za-z]+)>([^<]*)</([A-Za-z]+)>").expect("leaf regex"));
    let body = std::str::from_utf8(&resp.body).ok()?;
    LEAF.captures_iter(body)
        .find(|c| &c[1] == name && &c[3] == name)
        .map(|c| c[2].trim().to_string())
        .filter(|s| !s.is_empty())
}

/// The `Host` header for a base URL: the host, with the port only when it is not the default.
fn host_header(base: &str) -> Option<String> {
    let uri: Uri = base.parse().ok()?;
    let host = uri.host()?.to_ascii_lowercase();
    let default = if uri.scheme_str() == Some("http") {
        80
    } else {
        443
    };
    Some(match uri.port_u16() {
        Some(p) if p != default => format!("{host}:{p}"),
        _ => host,
    })
}

/// `sts.<region>.amazonaws.com` signs for its region; everything else for `us-east-1`.
fn region_of(host: &str) -> String {
    host.strip_prefix("sts.")
        .and_then(|h| h.strip_suffix(".amazonaws.com"))
        .filter(|r| !r.is_empty() && !r.contains('.'))
        .unwrap_or("us-east-1")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xml(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn sts_answers_are_read_by_their_documented_codes() {
        let ok = xml(
            200,
            "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/ci</Arn>\
             <UserId>AIDAX</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>",
        );
        let o = read(&ok);
        assert_eq!(
            o.principal.as_deref(),
            Some("arn:aws:iam::123456789012:user/ci")
        );
        assert_eq!(o.details["account"], "123456789012");
        let err = |code: &str| {
            xml(
                403,
                &format!("<ErrorResponse><Error><Code>{code}</Code></Error></ErrorResponse>"),
            )
        };
        use crate::verify::outcome::Status::*;
        assert_eq!(read(&err("InvalidClientTokenId")).status, Inactive);
        assert_eq!(read(&err("SignatureDoesNotMatch")).status, Unverifiable);
        assert_eq!(read(&xml(200, "<nope")).status, Unverifiable);
        assert!(throttled(&xml(
            400,
            "<Error><Code>Throttling</Code></Error>"
        )));
    }

    #[test]
    fn host_and_region_follow_the_base_url() {
        assert_eq!(
            host_header("https://sts.amazonaws.com").as_deref(),
            Some("sts.amazonaws.com")
        );
        assert_eq!(
            host_header("https://sts.amazonaws.com:443").as_deref(),
            Some("sts.amazonaws.com")
        );
        assert_eq!(
            host_header("http://127.0.0.1:8080").as_deref(),
            Some("127.0.0.1:8080")
        );
        assert_eq!(region_of("sts.eu-west-1.amazonaws.com"), "eu-west-1");
        assert_eq!(region_of("sts.amazonaws.com"), "us-east-1");
        assert_eq!(region_of("127.0.0.1:8080"), "us-east-1");
    }
}
