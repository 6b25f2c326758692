//! Identity, SaaS, payments, registry and crypto rules (issue 17) against the whole embedded rule
//! set: a credential in a realistic file is reported once, by its provider's rule (not by a
//! broader rule such as Stripe's `sk_live_` or the generic JWT rule), and look-alike values in
//! ordinary files (lockfile hashes, commit SHAs, UUIDs used as ids, public keys) are not reported
//! by these providers at all.
//!
//! Secrets are generated here from a fixed-seed generator, so no expected value is copied from
//! the output under test.

use keytrace::matcher::RuleSet;

const B62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const HEX: &[u8] = b"0123456789abcdef";
const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const BECH32: &[u8] = b"QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L";
const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const UPPER_DIGITS: &[u8] = b"ABCDEFGHJKLMNPQRSTVWXYZ23456789";

/// Providers whose rules this file covers (the rule files added or extended for issue 17).
const PROVIDERS: &[&str] = &[
    "auth0",
    "clerk",
    "workos",
    "salesforce",
    "infisical",
    "onepassword",
    "keycloak",
    "stytch",
    "kinde",
    "fusionauth",
    "pingidentity",
    "brevo",
    "mailjet",
    "postmark",
    "mandrill",
    "sparkpost",
    "resend",
    "loops",
    "dropbox",
    "box",
    "zendesk",
    "intercom",
    "hubspot",
    "typeform",
    "calendly",
    "miro",
    "monday",
    "clickup",
    "trello",
    "contentful",
    "sanity",
    "storyblok",
    "prismic",
    "webflow",
    "adobe",
    "mapbox",
    "zapier",
    "make",
    "pipedream",
    "shippo",
    "easypost",
    "lob",
    "wechat",
    "twitch",
    "zoom",
    "webex",
    "mattermost",
    "rocketchat",
    "line",
    "vonage",
    "messagebird",
    "plivo",
    "sinch",
    "coinbase",
    "plaid",
    "braintree",
    "adyen",
    "razorpay",
    "paddle",
    "lemonsqueezy",
    "checkout",
    "flutterwave",
    "gocardless",
    "clojars",
    "packagist",
    "pub-dev",
    "hex",
    "gradle",
    "sonatype",
    "artifacthub",
    "anaconda",
    "age",
    "jwk",
    "pgp",
    "otpauth",
];

/// xorshift64*: deterministic random text for fixtures.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn pick(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| alphabet[(self.next() % alphabet.len() as u64) as usize] as char)
            .collect()
    }

    fn uuid(&mut self) -> String {
        format!(
            "{}-{}-4{}-a{}-{}",
            self.pick(HEX, 8),
            self.pick(HEX, 4),
            self.pick(HEX, 3),
            self.pick(HEX, 3),
            self.pick(HEX, 12)
        )
    }
}

fn base64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn base64std(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn ruleset() -> RuleSet {
    RuleSet::new(keytrace::rules::embedded_rules().unwrap(), false).unwrap()
}

/// (rule id, provider, secret text) of every finding in `text`.
fn found(set: &RuleSet, text: &str) -> Vec<(String, String, String)> {
    let mut matcher = set.matcher();
    matcher
        .scan(text.as_bytes())
        .into_iter()
        .map(|m| {
            let rule = set.rule(m.rule_index);
            (
                rule.id.clone(),
                rule.provider.clone(),
                text[m.secret].to_string(),
            )
        })
        .collect()
}

/// One fixture: a file's text holding `secret`, and the rule that must report it.
struct Case {
    rule: &'static str,
    secret: String,
    text: String,
}

fn cases(g: &mut Gen) -> Vec<Case> {
    let mut v = Vec::new();
    let mut add = |rule: &'static str, secret: String, text: String| {
        assert!(
            text.contains(&secret),
            "{rule}: fixture must hold its secret"
        );
        v.push(Case { rule, secret, text });
    };

    let s = format!("00D{}!AQ{}", g.pick(B62, 12), g.pick(B62, 94));
    add(
        "salesforce-access-token",
        s.clone(),
        format!(
            "curl https://acme.my.salesforce.com/services/data/v60.0/query -H \"Authorization: Bearer {s}\"\n"
        ),
    );
    let s = format!(
        "st.{}.{}.{}",
        g.pick(HEX, 24),
        g.pick(HEX, 32),
        g.pick(HEX, 32)
    );
    add(
        "infisical-service-token",
        s.clone(),
        format!("INFISICAL_TOKEN={s}\n"),
    );
    let s = format!(
        "A3-{}-{}-{}-{}-{}-{}",
        g.pick(UPPER_DIGITS, 6),
        g.pick(UPPER_DIGITS, 6),
        g.pick(UPPER_DIGITS, 5),
        g.pick(UPPER_DIGITS, 5),
        g.pick(UPPER_DIGITS, 5),
        g.pick(UPPER_DIGITS, 5)
    );
    add(
        "onepassword-secret-key",
        s.clone(),
        format!("Secret Key: {s}\n"),
    );
    let s = format!("sk_live_{}", g.pick(B62, 48));
    add(
        "clerk-secret-key",
        s.clone(),
        format!(
            "NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY=pk_live_Y2xlcmsuYWNtZS5pbyQ\nCLERK_SECRET_KEY={s}\n"
        ),
    );
    let payload = format!(
        r#"{{"iss":"https://acme.eu.auth0.com/","sub":"{}@clients","aud":"https://acme.eu.auth0.com/api/v2/","gty":"client-credentials"}}"#,
        g.pick(B62, 32)
    );
    let s = format!(
        "{}.{}.{}",
        base64url(br#"{"alg":"RS256","typ":"JWT"}"#),
        base64url(payload.as_bytes()),
        g.pick(B64URL, 342)
    );
    add(
        "auth0-management-api-token",
        s.clone(),
        format!("AUTH0_MANAGEMENT_API_TOKEN={s}\n"),
    );
    let s = format!("xkeysib-{}-{}", g.pick(HEX, 64), g.pick(B62, 16));
    add(
        "brevo-api-key",
        s.clone(),
        format!("{{\"brevo\": {{\"apiKey\": \"{s}\"}}}}\n"),
    );
    let s = format!("re_{}_{}", g.pick(B62, 8), g.pick(B62, 24));
    add(
        "resend-api-key",
        s.clone(),
        format!("const resend = new Resend(\"{s}\");\n"),
    );
    let s = format!("pat-na1-{}", g.uuid());
    add(
        "hubspot-private-app-token",
        s.clone(),
        format!("HUBSPOT_ACCESS_TOKEN={s}\n"),
    );
    let s = base64std(format!("tok:{}:1:0", g.uuid().replace('-', "_")).as_bytes());
    add(
        "intercom-access-token",
        s.clone(),
        format!("Authorization: Bearer {s}\n"),
    );
    let s = g.uuid();
    add(
        "postmark-server-token",
        s.clone(),
        format!("curl https://api.postmarkapp.com/email -H \"X-Postmark-Server-Token: {s}\"\n"),
    );
    let s = format!("{}_PF84_{}", g.pick(B62, 64), g.uuid());
    add(
        "webex-access-token",
        s.clone(),
        format!("WEBEX_BOT_TOKEN={s}\n"),
    );
    let s = format!(
        "{}.{}.{}",
        base64url(format!("1{}", g.pick(b"0123456789", 18)).as_bytes()),
        g.pick(B64URL, 6),
        g.pick(B64URL, 38)
    );
    add(
        "discord-bot-authorization-header",
        s.clone(),
        format!("requests.get(url, headers={{\"Authorization\": \"Bot {s}\"}})\n"),
    );
    let s = format!("access-production-{}", g.uuid());
    add(
        "plaid-access-token",
        s.clone(),
        format!("PLAID_ACCESS_TOKEN={s}\n"),
    );
    let s = format!(
        "pdl_live_apikey_01{}_{}_{}",
        g.pick(b"0123456789abcdefghjkmnpqrstvwxyz", 24),
        g.pick(B62, 22),
        g.pick(B62, 3)
    );
    add(
        "paddle-api-key-live",
        s.clone(),
        format!("PADDLE_API_KEY={s}\n"),
    );
    let s = format!("FLWSECK-{}-X", g.pick(HEX, 32));
    add(
        "flutterwave-secret-key",
        s.clone(),
        format!("FLW_SECRET_KEY={s}\n"),
    );
    let s = format!("packagist_ort_{}", g.pick(HEX, 68));
    add(
        "packagist-private-token",
        s.clone(),
        format!(
            "{{\"http-basic\": {{\"repo.packagist.com\": {{\"username\": \"token\", \"password\": \"{s}\"}}}}}}\n"
        ),
    );
    let s = format!("CLOJARS_{}", g.pick(HEX, 60));
    add(
        "clojars-deploy-token",
        s.clone(),
        format!("export CLOJARS_PASSWORD={s}\n"),
    );
    let s = g.uuid();
    add(
        "npm-legacy-auth-token",
        s.clone(),
        format!("registry=https://npm.acme.io/\n//npm.acme.io/:_authToken={s}\n"),
    );
    let s = format!("AGE-SECRET-KEY-1{}", g.pick(BECH32, 58));
    add(
        "age-secret-key",
        s.clone(),
        format!("# public key: age1qqqq\n{s}\n"),
    );
    let d = base64url(g.pick(B62, 32).as_bytes());
    add(
        "jwk-ec-private-key",
        d.clone(),
        format!(
            "{{\"kty\": \"EC\", \"crv\": \"P-256\", \"x\": \"{}\", \"y\": \"{}\", \"d\": \"{d}\"}}\n",
            g.pick(B64URL, 43),
            g.pick(B64URL, 43)
        ),
    );
    let s = g.pick(BASE32, 32);
    add(
        "otpauth-uri-secret",
        s.clone(),
        format!("otpauth://totp/Acme:ops%40acme.io?secret={s}&issuer=Acme\n"),
    );
    v
}

#[test]
fn each_credential_is_reported_once_by_its_providers_rule() {
    let set = ruleset();
    let mut g = Gen(0x9e37_79b9_7f4a_7c15);
    for case in cases(&mut g) {
        let hits = found(&set, &case.text);
        let own: Vec<_> = hits.iter().filter(|h| h.2 == case.secret).collect();
        assert_eq!(
            own.len(),
            1,
            "{}: expected one finding of the secret in {:?}, got {hits:?}",
            case.rule,
            case.text
        );
        assert_eq!(own[0].0, case.rule, "wrong rule for {:?}", case.text);
    }
}

#[test]
fn look_alikes_in_ordinary_files_are_not_reported_by_these_providers() {
    let set = ruleset();
    let mut g = Gen(0x2545_f491_4f6c_dd1d);
    let sha = g.pick(HEX, 40);
    let integrity = base64std(g.pick(B62, 64).as_bytes());
    let files = [
        // Lockfiles and VCS metadata: hashes next to provider names.
        format!(
            "\"node_modules/@hubspot/api-client\": {{\n  \"version\": \"11.2.0\",\n  \"resolved\": \"https://registry.npmjs.org/@hubspot/api-client/-/api-client-11.2.0.tgz\",\n  \"integrity\": \"sha512-{integrity}\"\n}}\n"
        ),
        format!(
            "commit {sha}\nAuthor: ops <ops@acme.io>\n\n    zendesk: bump api token handling\n"
        ),
        format!("zendesk_ticket_sha = \"{}\"\n", g.pick(HEX, 40)),
        // UUIDs used as ids.
        format!("POSTMARK_MESSAGE_STREAM_ID={}\n", g.uuid()),
        format!(
            "HUBSPOT_FORM_ID={}\nHUBSPOT_PORTAL_ID=2{}\n",
            g.uuid(),
            g.pick(b"0123456789", 7)
        ),
        format!("plaid_request_id = \"{}\"\n", g.uuid()),
        format!("INFISICAL_PROJECT_ID={}\n", g.uuid()),
        // Public keys and identifiers that look like their secret halves.
        format!(
            "MAPBOX_PUBLIC_TOKEN=pk.{}.{}\n",
            base64url(br#"{"u":"acme","a":"clx0abc"}"#),
            g.pick(B64URL, 22)
        ),
        format!("STRIPE_PUBLISHABLE_KEY=pk_live_{}\n", g.pick(B62, 99)),
        format!("PLAID_PUBLIC_TOKEN=public-sandbox-{}\n", g.uuid()),
        format!(
            "{{\"keys\": [{{\"kty\": \"RSA\", \"kid\": \"{}\", \"n\": \"{}\", \"e\": \"AQAB\"}}]}}\n",
            g.uuid(),
            g.pick(B64URL, 342)
        ),
        format!(
            "{{\"kty\": \"OKP\", \"crv\": \"Ed25519\", \"x\": \"{}\"}}\n",
            g.pick(B64URL, 43)
        ),
        format!(
            "# public key: age1{}\n",
            g.pick(b"qpzry9x8gf2tvdw0s3jn54khce6mua7l", 58)
        ),
        format!("RAZORPAY_KEY_ID=rzp_live_{}\n", g.pick(B62, 14)),
        format!(
            "CHECKOUT_PUBLIC_KEY=pk_sbox_{}\n",
            g.pick(b"abcdefghijklmnopqrstuvwxyz234567", 27)
        ),
        // Placeholders and references.
        "CLERK_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n".to_string(),
        "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n".to_string(),
        "<add key=\"ClearTextPassword\" value=\"%NUGET_PAT%\" />\n".to_string(),
        "OP_SERVICE_ACCOUNT_TOKEN=op://ci/service-account/credential\n".to_string(),
    ];
    for text in &files {
        let ours: Vec<_> = found(&set, text)
            .into_iter()
            .filter(|h| PROVIDERS.contains(&h.1.as_str()))
            .collect();
        assert!(ours.is_empty(), "{ours:?} in {text:?}");
    }
}

#[test]
fn every_covered_provider_has_a_rule_file() {
    let rules = keytrace::rules::embedded_rules().unwrap();
    for p in PROVIDERS {
        assert!(
            rules.iter().any(|r| r.provider == *p),
            "no embedded rule for provider {p}"
        );
    }
}
