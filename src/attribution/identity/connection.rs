//! Identity carried by the string a secret is embedded in: database URLs (`db_scheme`,
//! `db_user`, `db_host`), Azure storage connection strings and URLs (`storage_account`), Slack
//! webhook URLs (`slack_team_id`, and `slack_bot_id` or `slack_app_id`) and Slack app-level
//! tokens (`slack_app_id`).
//!
//! The secret is often only the password or the last path segment, so the enclosing token (the
//! run of non-space, non-quote bytes around the match, bounded) is what gets read.

use super::{Identity, enclosing_token, put};
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

/// Bytes looked at on each side of a match for the enclosing URL or connection string.
const WINDOW: usize = 2048;

/// URL schemes of databases and brokers whose URLs carry credentials.
const DB_SCHEMES: &[&str] = &[
    "postgres",
    "postgresql",
    "mysql",
    "mariadb",
    "mongodb",
    "mongodb+srv",
    "redis",
    "rediss",
    "amqp",
    "amqps",
    "mssql",
    "sqlserver",
    "oracle",
    "clickhouse",
    "cockroachdb",
    "couchdb",
    "neo4j",
    "neo4j+s",
];

pub(super) fn decode(secret: &str, blob: &[u8], span: Range<usize>, out: &mut Identity) {
    slack_app_token(secret, out);
    let token = if blob.is_empty() {
        secret
    } else {
        enclosing_token(blob, span, WINDOW)
    };
    if token.is_empty() {
        return;
    }
    database_url(token, out);
    azure_storage(token, out);
    slack_webhook(token, out);
}

/// `scheme://user:password@host:port/db` → scheme, user, host.
fn database_url(token: &str, out: &mut Identity) {
    let Some(sep) = token.find("://") else {
        return;
    };
    let head = &token[..sep];
    // The scheme is the trailing run of scheme characters; start after the last other
    // character (which may be several bytes long).
    let scheme_start = head
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-' | ':')))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let scheme = head[scheme_start..]
        .trim_start_matches(':')
        .to_ascii_lowercase();
    let bare = scheme.strip_prefix("jdbc:").unwrap_or(&scheme);
    if !DB_SCHEMES.contains(&bare) {
        return;
    }
    let rest = &token[sep + 3..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let Some((userinfo, hosts)) = authority.rsplit_once('@') else {
        return;
    };
    put(out, "db_scheme", bare);
    let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
    if !user.is_empty() {
        put(out, "db_user", user);
    }
    let host = host_of(hosts.split(',').next().unwrap_or(""));
    if !host.is_empty() {
        put(out, "db_host", host);
    }
}

/// The host of `host[:port]` or `[v6]:port`.
fn host_of(hostport: &str) -> &str {
    if let Some(v6) = hostport.strip_prefix('[') {
        return v6.split(']').next().unwrap_or("");
    }
    hostport.split(':').next().unwrap_or("")
}

static ACCOUNT_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(?:^|;)\s*AccountName=([a-z0-9]{3,24})(?:;|$)").unwrap());
static STORAGE_HOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)https?://([a-z0-9]{3,24})\.(?:blob|file|queue|table|dfs)\.core\.").unwrap()
});

/// `AccountName=` of a storage connection string, or the account of a storage endpoint URL.
fn azure_storage(token: &str, out: &mut Identity) {
    let is_conn = token.contains("AccountKey=") || token.contains("SharedAccessSignature=");
    let account = if is_conn {
        ACCOUNT_NAME
            .captures(token)
            .or_else(|| STORAGE_HOST.captures(token))
    } else if token.contains("sig=") {
        STORAGE_HOST.captures(token)
    } else {
        None
    };
    if let Some(c) = account {
        put(out, "storage_account", c[1].to_ascii_lowercase());
    }
}

static SLACK_HOOK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"hooks\.slack\.com/(services|workflows|triggers)/(T[A-Z0-9]{6,})(?:/([AB][A-Z0-9]{6,}))?/",
    )
    .unwrap()
});
static SLACK_APP_TOKEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^xapp-\d+-(A[A-Z0-9]{6,})-\d+-[A-Za-z0-9]+$").unwrap());

/// `https://hooks.slack.com/services/T…/B…/secret`: the workspace (team) id and the id of the
/// webhook's bot; workflow webhooks carry the team and the workflow app's `A…` id.
fn slack_webhook(token: &str, out: &mut Identity) {
    let Some(c) = SLACK_HOOK.captures(token) else {
        return;
    };
    put(out, "slack_team_id", &c[2]);
    if let Some(id) = c.get(3) {
        let key = match (&c[1], id.as_str().as_bytes().first()) {
            ("services", Some(b'B')) => "slack_bot_id",
            (_, Some(b'A')) => "slack_app_id",
            _ => return,
        };
        put(out, key, id.as_str());
    }
}

/// App-level tokens `xapp-<version>-<app id>-<number>-<secret>` carry the app id.
fn slack_app_token(secret: &str, out: &mut Identity) {
    if let Some(c) = SLACK_APP_TOKEN.captures(secret) {
        put(out, "slack_app_id", &c[1]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decode with the secret at `needle` inside `blob`.
    fn around(blob: &str, needle: &str) -> Identity {
        let start = blob.find(needle).unwrap();
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
    fn database_url_password_yields_scheme_user_and_host() {
        let id = around(
            "DATABASE_URL=postgres://app_user:s3cr3tPassw0rd@db.internal.example:5432/app\n",
            "s3cr3tPassw0rd",
        );
        assert_eq!(id["db_scheme"], "postgres");
        assert_eq!(id["db_user"], "app_user");
        assert_eq!(id["db_host"], "db.internal.example");
    }

    #[test]
    fn jdbc_mongodb_srv_and_ipv6_urls() {
        let id = around(
            "url: \"jdbc:mysql://root:pw123456@10.0.0.5/db\"",
            "pw123456",
        );
        assert_eq!(id["db_scheme"], "mysql");
        assert_eq!(id["db_host"], "10.0.0.5");
        let id = around(
            "mongodb+srv://svc:Zx9pw@cluster0.ab1cd.mongodb.net/?retryWrites=true",
            "Zx9pw",
        );
        assert_eq!(id["db_scheme"], "mongodb+srv");
        assert_eq!(id["db_host"], "cluster0.ab1cd.mongodb.net");
        let id = around("redis://:onlypass@[::1]:6379/0", "onlypass");
        assert_eq!(id["db_host"], "::1");
        assert!(!id.contains_key("db_user"));
    }

    #[test]
    fn multibyte_characters_before_the_scheme_do_not_panic() {
        // Regression: a multi-byte character right before the scheme was sliced at its second
        // byte.
        let id = around("url=épostgres://u:pw123456@db.example/x", "pw123456");
        assert_eq!(id["db_host"], "db.example");
        let mut out = Identity::new();
        database_url("\u{FFFD}postgres://:Sup\u{FFFD}sup3r@N", &mut out);
        assert_eq!(out["db_scheme"], "postgres");
        assert_eq!(out["db_host"], "N");
        let mut out = Identity::new();
        database_url("ü://é:ö@ä", &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn web_urls_and_credential_free_urls_are_not_databases() {
        assert!(around("https://user:pw@example.com/x", "pw").is_empty());
        assert!(around("postgres://db.example/app?password=abc", "abc").is_empty());
    }

    #[test]
    fn azure_connection_string_names_the_storage_account() {
        let blob = "DefaultEndpointsProtocol=https;AccountName=contosodata;AccountKey=bXlrZXk0MjQyNDI0MjQyNDI0Mg==;EndpointSuffix=core.windows.net";
        let id = around(blob, "bXlrZXk0MjQyNDI0MjQyNDI0Mg==");
        assert_eq!(id["storage_account"], "contosodata");
        let sas = "BlobEndpoint=https://acme01.blob.core.windows.net/;SharedAccessSignature=sv=2022-11-02&sig=AbC%2Bd";
        assert_eq!(around(sas, "AbC%2Bd")["storage_account"], "acme01");
    }

    #[test]
    fn slack_webhook_url_carries_team_and_bot_ids() {
        let url = "https://hooks.slack.com/services/T0A1B2C3D/B0E4F5G6H/AbCdEfGhIjKlMnOpQrStUvWx";
        let id = around(
            &format!("SLACK_WEBHOOK={url}\n"),
            "AbCdEfGhIjKlMnOpQrStUvWx",
        );
        assert_eq!(id["slack_team_id"], "T0A1B2C3D");
        assert_eq!(id["slack_bot_id"], "B0E4F5G6H");
        let wf = "https://hooks.slack.com/workflows/T0A1B2C3D/A0Z9Y8X7W/123456/AbCdEf";
        let id = around(wf, "AbCdEf");
        assert_eq!(id["slack_app_id"], "A0Z9Y8X7W");
    }

    #[test]
    fn slack_app_token_carries_the_app_id_and_bot_tokens_carry_nothing() {
        let mut id = Identity::new();
        slack_app_token("xapp-1-A0123ABCDEF-1234567890123-0a1b2c3d4e5f", &mut id);
        assert_eq!(id["slack_app_id"], "A0123ABCDEF");
        let bot = around(
            "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
            "xoxb",
        );
        assert!(bot.is_empty());
    }
}
