//! AWS: STS `GetCallerIdentity` (`POST https://sts.amazonaws.com/`, form body
//! `Action=GetCallerIdentity&Version=2011-06-15`, SigV4 for `us-east-1`/`sts`). It needs no IAM
//! permission, costs nothing and changes nothing; the XML answer names the account and the ARN.

use super::{fetch_with, transient, unexpected};
use crate::verify::aws_signing::{signed_post, sts_region};
use crate::verify::http::{Client, HttpResponse};
use crate::verify::outcome::Outcome;
use crate::verify::provider::Provider;
use regex::Regex;
use std::sync::LazyLock;

const P: Provider = Provider::Aws;
const BODY: &str = "Action=GetCallerIdentity&Version=2011-06-15";

pub(super) fn check(client: &Client, key_id: &str, secret: &str) -> Outcome {
    let base = client.endpoints().base(P);
    let region = sts_region(base);
    let req = match signed_post(
        key_id,
        secret,
        &format!("{base}/"),
        "sts",
        &region,
        BODY.as_bytes(),
    ) {
        Ok(r) => r,
        Err(e) => return Outcome::unverifiable(format!("could not sign the STS request: {e}")),
    };
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
}
