//! Credential names: split a name into words, then decide from its *head* (the last word that
//! carries meaning) whether it names a credential, and which kind.
//!
//! English compounds put their head last: `password_policy` is a policy, `token_url` a URL,
//! `db_password` a password. So instead of listing every look-alike (`password_hash_algorithm`,
//! `secret_name`, `max_tokens`...) we find the head word after skipping a few neutral suffixes
//! (`_value`, `_b64`, `_confirmation`...) and only accept names whose head is a credential word.
//! Words like `keyboard`, `passport`, `bypass` or `tokenizer` are single words that simply are not
//! in the vocabulary, so they never match.

/// What a credential name says the value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Password,
    Secret,
    ApiKey,
    Token,
    PrivateKey,
}

/// A name judged to be a credential name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameClass {
    pub kind: Kind,
    /// True for unambiguous names (`password`, `client_secret`, `api_key`); false for names that
    /// are credentials only sometimes (`pass`, `auth`, a bare `token`).
    pub strong: bool,
    /// A `key` named only by a service or by nothing (`mailgun_key`, `TWILIO_KEY`, a plain
    /// `key`): most such keys are dictionary, cache or translation keys, so only a value that
    /// looks random counts ([`super::values::looks_random`]).
    pub loose: bool,
}

impl NameClass {
    /// An ordinary (not loose) class.
    pub const fn new(kind: Kind, strong: bool) -> NameClass {
        NameClass {
            kind,
            strong,
            loose: false,
        }
    }
}

/// Words that follow a credential word without changing what it is.
const NEUTRAL_SUFFIXES: &[&str] = &[
    "value",
    "val",
    "str",
    "string",
    "text",
    "raw",
    "plain",
    "plaintext",
    "b64",
    "base64",
    "hex",
    "data",
    "content",
    "confirmation",
    "confirm",
    "again",
    "repeat",
    "override",
    "default",
    "base",
    "prod",
    "production",
    "dev",
    "staging",
    "bytes",
    "literal",
];

/// Words before `key` that make it a credential (`api_key`, `signing_key`).
const KEY_QUALIFIERS: &[(&str, Kind)] = &[
    ("api", Kind::ApiKey),
    ("app", Kind::ApiKey),
    ("application", Kind::ApiKey),
    ("access", Kind::ApiKey),
    ("subscription", Kind::ApiKey),
    ("license", Kind::ApiKey),
    ("consumer", Kind::ApiKey),
    ("developer", Kind::ApiKey),
    ("service", Kind::ApiKey),
    ("admin", Kind::ApiKey),
    ("master", Kind::Secret),
    ("secret", Kind::Secret),
    ("signing", Kind::Secret),
    ("sign", Kind::Secret),
    ("encryption", Kind::Secret),
    ("encrypt", Kind::Secret),
    ("session", Kind::Secret),
    ("client", Kind::Secret),
    ("auth", Kind::Secret),
    ("shared", Kind::Secret),
    ("hmac", Kind::Secret),
    ("jwt", Kind::Secret),
    ("crypto", Kind::Secret),
    ("cipher", Kind::Secret),
    ("aes", Kind::Secret),
    ("account", Kind::Secret),
    ("storage", Kind::Secret),
    ("webhook", Kind::Secret),
    ("private", Kind::PrivateKey),
    ("ssh", Kind::PrivateKey),
    ("rsa", Kind::PrivateKey),
];

/// Every spelling of a qualified `key` that a name can hold, lowercase: each qualifier joined to
/// `key` by `_`, `-`, `.` or nothing (`api_key`, `api-key`, `api.key`, `apiKey`, `APIKEY`).
/// Other names with `key` as their head reach the lexer through [`KEY_ASSIGN_KEYWORDS`].
pub fn qualified_key_keywords() -> Vec<String> {
    KEY_QUALIFIERS
        .iter()
        .flat_map(|(q, _)| ["_", "-", ".", ""].map(|sep| format!("{q}{sep}key")))
        .collect()
}

/// Qualified keys written as two words (`access key: …`, `Secret Key = …`), lowercase.
pub fn spaced_key_keywords() -> Vec<String> {
    KEY_QUALIFIERS
        .iter()
        .map(|(q, _)| format!("{q} key"))
        .collect()
}

/// `key` right before an assignment operator (`key=`, `Key :=`, `"key": `, `'key' =>`): how a
/// service key (`TWILIO_KEY=`, `mailgunKey :=`) or a plain `key` reaches the lexer. A bare
/// `key` is not a prefilter word (ordinary code is full of them); followed by an operator it
/// is rare enough.
pub const KEY_ASSIGN_KEYWORDS: &[&str] = &[
    "key=", "key:", "key =", "key :", "key\"=", "key\":", "key\" =", "key\" :", "key'=", "key':",
    "key' =", "key' :",
];

/// Words before `key` that make it anything but a credential: data-structure, database,
/// cache, translation and UI keys, and public keys.
const KEY_NON_CREDENTIAL: &[&str] = &[
    "cache",
    "primary",
    "foreign",
    "unique",
    "partition",
    "sort",
    "row",
    "range",
    "hash",
    "dict",
    "map",
    "object",
    "s3",
    "bucket",
    "lookup",
    "i18n",
    "translation",
    "locale",
    "message",
    "msg",
    "label",
    "idempotency",
    "dedup",
    "routing",
    "cursor",
    "shard",
    "react",
    "list",
    "item",
    "entry",
    "group",
    "config",
    "setting",
    "settings",
    "property",
    "registry",
    "public",
    "publishable",
    "pub",
    "gpg",
    "pgp",
    "field",
    "column",
    "index",
    "composite",
    "natural",
    "surrogate",
    "parent",
    "child",
    "state",
    "redis",
    "memcache",
    "enum",
    "menu",
    "hot",
    "shortcut",
    "mapping",
    "env",
    "name",
    "search",
    "sequence",
    "lock",
    "event",
    "metric",
    "tag",
    "attribute",
    "attr",
    "meta",
    "metadata",
    "header",
    "json",
    "yaml",
    "query",
    "param",
    "form",
    "input",
    "output",
    "template",
    "host",
    "path",
    "file",
    "table",
    "record",
    "sharding",
    "store",
    "local",
    "global",
    "unit",
    "type",
    "version",
    "region",
    "resource",
    "node",
    "element",
    "elem",
    "component",
    "route",
    "page",
    "view",
    "widget",
    "order",
    "context",
    "request",
    "response",
];

/// Words before `token` that mark a token as not a credential (pagination, parsing, CSRF).
const TOKEN_NON_CREDENTIAL: &[&str] = &[
    "csrf",
    "xsrf",
    "next",
    "page",
    "continuation",
    "pagination",
    "cancellation",
    "cancel",
    "sync",
    "lexer",
    "parser",
    "parse",
    "eof",
    "start",
    "end",
    "last",
    "first",
    "max",
    "num",
    "total",
    "count",
    "idempotency",
    "input",
    "output",
    "prompt",
    "completion",
];

/// Words before `token` that make it an unambiguous credential.
const TOKEN_STRONG: &[&str] = &[
    "auth", "access", "api", "bearer", "refresh", "bot", "personal", "private", "secret",
    "session", "oauth", "oauth2", "github", "gitlab", "slack", "npm", "pypi", "service", "admin",
    "deploy", "registry", "id", "app", "client", "user", "discord", "telegram", "vault",
];

/// Compound single words (`dbpassword`, `apikey`) are split before these heads.
const COMPOUND_HEADS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "passowrd",
    "passwrod",
    "pasword",
    "pssword",
    "passwort",
    "secret",
    "token",
    "credentials",
    "credential",
    "pwd",
];

/// Prefixes allowed before `pass` in a compound (`dbpass`), so that `bypass` and `compass` stay
/// single words.
const PASS_PREFIXES: &[&str] = &[
    "db", "sql", "mysql", "pg", "smtp", "mail", "root", "admin", "user", "ftp", "ldap", "redis",
    "app", "sys", "web", "proxy", "bind",
];

/// Split a name into lowercase words: separators (`_ - . : / space $ @`), camelCase and
/// PascalCase boundaries (`DBPassword` → `db`, `password`), then known compounds
/// (`dbpassword` → `db`, `password`; `apikey` → `api`, `key`). A part in erratic case
/// (`pAssword`, `PaSsWoRd`) is not camel-split but lowercased whole, so that it reads as the word
/// it spells.
pub fn words(name: &str) -> Vec<String> {
    let mut raw = Vec::new();
    for part in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        if is_erratic(part) {
            raw.push(part.to_ascii_lowercase());
        } else {
            raw.extend(camel_segments(part).map(str::to_ascii_lowercase));
        }
    }
    let mut out = Vec::with_capacity(raw.len() + 1);
    for w in raw {
        split_compound(w, &mut out);
    }
    out
}

/// The camelCase / PascalCase segments of one separator-free part.
fn camel_segments(part: &str) -> impl Iterator<Item = &str> {
    let chars = part.as_bytes();
    let mut start = 0;
    let mut i = 1;
    std::iter::from_fn(move || {
        while i < chars.len() {
            let (prev, cur) = (chars[i - 1], chars[i]);
            let next_lower = chars.get(i + 1).is_some_and(u8::is_ascii_lowercase);
            let boundary = cur.is_ascii_uppercase()
                && (prev.is_ascii_lowercase()
                    || prev.is_ascii_digit()
                    || (prev.is_ascii_uppercase() && next_lower));
            i += 1;
            if boundary {
                let segment = &part[start..i - 1];
                start = i - 1;
                return Some(segment);
            }
        }
        (start < chars.len()).then(|| {
            let segment = &part[start..];
            start = chars.len();
            segment
        })
    })
}

/// Segments that no one writes on purpose: a lone lowercase letter before a capital (`pAssword`)
/// or a run of two-letter segments (`PaSsWoRd`). Real camel case (`mysqlRootPassword`,
/// `xApiKey`, `getDBPassword`) is not erratic.
fn is_erratic(part: &str) -> bool {
    let (mut count, mut tiny) = (0, 0);
    let (mut first, mut second) = ("", "");
    for segment in camel_segments(part) {
        match count {
            0 => first = segment,
            1 => second = segment,
            _ => {}
        }
        count += 1;
        tiny += usize::from(segment.len() <= 2);
    }
    let lone_lower_head = count == 2
        && first.len() == 1
        && first.as_bytes()[0].is_ascii_lowercase()
        && second.len() > 3;
    count >= 2 && (lone_lower_head || tiny >= 3)
}

/// Push `word` onto `out`, split when it is a compound: `dbpassword` → `db`, `password`;
/// `apikey` → `api`, `key`; other words unchanged.
fn split_compound(word: String, out: &mut Vec<String>) {
    // Heads peeled off the end (`dbpasswordsecret` → `secret`, `password`), in a loop rather
    // than by recursion: a long run of heads costs one pass, not one copy of the rest per head.
    let mut rest = word.as_str();
    let mut heads: Vec<&'static str> = Vec::new();
    while let Some(head) = COMPOUND_HEADS
        .iter()
        .find(|h| rest.len() > h.len() && rest.ends_with(*h))
    {
        rest = &rest[..rest.len() - head.len()];
        heads.push(head);
    }
    let word = rest.to_string();
    let split = |suffix: &'static str, allowed: &dyn Fn(&str) -> bool| {
        word.strip_suffix(suffix)
            .filter(|p| allowed(p))
            .map(|p| (p.to_string(), suffix))
    };
    let key = split("key", &|p| KEY_QUALIFIERS.iter().any(|(q, _)| *q == p));
    let pass = || split("pass", &|p| PASS_PREFIXES.contains(&p));
    match key
        .or_else(pass)
        .or_else(|| split("pw", &|p| PASS_PREFIXES.contains(&p)))
    {
        Some((prefix, suffix)) => {
            out.push(prefix);
            out.push(suffix.to_string());
        }
        None => out.push(word),
    }
    out.extend(heads.iter().rev().map(|h| (*h).to_string()));
}

/// Decide whether `name` names a credential, from its head word.
pub fn classify(name: &str) -> Option<NameClass> {
    classify_words(&words(name))
}

/// `classify` on words already split.
pub fn classify_words(words: &[String]) -> Option<NameClass> {
    let mut end = words.len();
    while end > 0 && is_neutral(&words[end - 1]) {
        end -= 1;
    }
    if end == 0 {
        return None;
    }
    let head = words[end - 1].as_str();
    let before = &words[..end - 1];
    let prev = before.last().map(String::as_str);
    let class = |kind, strong| Some(NameClass::new(kind, strong));
    match head {
        "password" | "passwd" | "passphrase" | "passcode" | "pword" => class(Kind::Password, true),
        // Common misspellings, and the German and Scandinavian words.
        "pasword" | "passowrd" | "passwrod" | "pssword" | "paswd" | "passwort" | "passord" => {
            class(Kind::Password, true)
        }
        "pwd" | "pw" => class(Kind::Password, !before.is_empty()),
        "pass" => class(Kind::Password, false),
        "secret" => class(Kind::Secret, true),
        // CORS `Access-Control-Allow-Credentials` and `allowCredentials` are switches.
        "credential" | "credentials" | "creds" if prev == Some("allow") => None,
        "credential" | "credentials" | "creds" => class(Kind::Secret, true),
        "auth" => class(Kind::Secret, false),
        "apikey" => class(Kind::ApiKey, true),
        "authorization" => class(Kind::Token, false),
        "token" => classify_token(prev),
        "key" => classify_key(before),
        _ => None,
    }
}

fn is_neutral(word: &str) -> bool {
    NEUTRAL_SUFFIXES.contains(&word) || word.bytes().all(|b| b.is_ascii_digit())
}

fn classify_token(prev: Option<&str>) -> Option<NameClass> {
    match prev {
        Some(p) if TOKEN_NON_CREDENTIAL.contains(&p) => None,
        Some(p) => Some(NameClass::new(Kind::Token, TOKEN_STRONG.contains(&p))),
        None => Some(NameClass::new(Kind::Token, false)),
    }
}

/// `key` is a credential with a qualifier (`api_key`, `secret_access_key`, `private_key`). Named
/// by a service (`mailgun_key`) or by nothing (`key`), it is a loose name: a credential only
/// when its value looks random. Named by a data structure (`cache_key`, `foreign_key`), never.
fn classify_key(before: &[String]) -> Option<NameClass> {
    let Some(prev) = before.last() else {
        return Some(NameClass {
            loose: true,
            ..NameClass::new(Kind::ApiKey, false)
        });
    };
    let Some((_, kind)) = KEY_QUALIFIERS.iter().find(|(q, _)| q == prev) else {
        let service = prev.len() >= 3
            && prev.bytes().all(|b| b.is_ascii_alphanumeric())
            && prev.bytes().any(|b| b.is_ascii_alphabetic())
            && !KEY_NON_CREDENTIAL.contains(&prev.as_str());
        return service.then_some(NameClass {
            loose: true,
            ..NameClass::new(Kind::ApiKey, false)
        });
    };
    let kind = if before.iter().any(|w| w == "secret") && *kind == Kind::ApiKey {
        Kind::Secret
    } else {
        *kind
    };
    Some(NameClass::new(kind, true))
}

/// True when `word` is one of the credential head words (used to recognise values that are
/// themselves field names, such as `user_password`).
pub fn is_credential_word(word: &str) -> bool {
    matches!(
        word,
        "password"
            | "passwd"
            | "pwd"
            | "secret"
            | "token"
            | "apikey"
            | "credentials"
            | "passphrase"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(name: &str) -> Option<Kind> {
        classify(name).map(|c| c.kind)
    }

    #[test]
    fn splits_every_case_style() {
        assert_eq!(words("DB_PASSWORD"), ["db", "password"]);
        assert_eq!(words("mysqlRootPassword"), ["mysql", "root", "password"]);
        assert_eq!(words("DBPassword"), ["db", "password"]);
        assert_eq!(words("app.secret.key"), ["app", "secret", "key"]);
        assert_eq!(words("x-api-key"), ["x", "api", "key"]);
        assert_eq!(words("--password"), ["password"]);
        assert_eq!(words("dbpassword"), ["db", "password"]);
        assert_eq!(words("pAssword"), ["password"]);
        assert_eq!(words("DB_PaSsWoRd"), ["db", "password"]);
        assert_eq!(words("xApiKey"), ["x", "api", "key"]);
        assert_eq!(words("getDBPassword"), ["get", "db", "password"]);
        assert_eq!(words("apikey"), ["api", "key"]);
        assert_eq!(
            words("AWSSecretAccessKey"),
            ["aws", "secret", "access", "key"]
        );
        assert_eq!(words("bypass"), ["bypass"]);
        assert_eq!(words("dbpass"), ["db", "pass"]);
    }

    #[test]
    fn credential_names_by_head_word() {
        assert_eq!(kind("password"), Some(Kind::Password));
        assert_eq!(kind("DB_PASSWORD"), Some(Kind::Password));
        assert_eq!(kind("mysqlRootPassword"), Some(Kind::Password));
        assert_eq!(kind("password_confirmation"), Some(Kind::Password));
        assert_eq!(kind("client_secret"), Some(Kind::Secret));
        assert_eq!(kind("app.secret.key"), Some(Kind::Secret));
        assert_eq!(kind("SECRET_KEY_BASE"), Some(Kind::Secret));
        assert_eq!(kind("api_key"), Some(Kind::ApiKey));
        assert_eq!(kind("apiKey"), Some(Kind::ApiKey));
        assert_eq!(kind("X-Api-Key"), Some(Kind::ApiKey));
        assert_eq!(kind("AWS_SECRET_ACCESS_KEY"), Some(Kind::Secret));
        assert_eq!(kind("private_key"), Some(Kind::PrivateKey));
        assert_eq!(kind("GITHUB_TOKEN"), Some(Kind::Token));
        assert_eq!(kind("signingKey"), Some(Kind::Secret));
        assert_eq!(kind("credentials"), Some(Kind::Secret));
    }

    #[test]
    fn look_alikes_are_not_credential_names() {
        for name in [
            "password_policy",
            "token_url",
            "secret_name",
            "max_tokens",
            "keyboard",
            "passport",
            "bypass",
            "compass",
            "tokenizer",
            "password_hash_algorithm",
            "auth_url",
            "api_key_id",
            "csrf_token",
            "next_token",
            "PasswordAuthentication",
            "passwordless",
            "monkey",
            "primary_key",
            "cache_key",
            "foreign_key",
            "i18n_key",
            "sortKey",
            "key_id",
            "password_hash",
            "secret_arn",
            "author",
        ] {
            assert_eq!(classify(name), None, "{name}");
        }
    }

    #[test]
    fn service_and_plain_keys_are_loose() {
        for name in [
            "key",
            "Key",
            "mailgun_key",
            "TWILIO_KEY",
            "mailgunKey",
            "sendgrid.key",
        ] {
            let c = classify(name).unwrap_or_else(|| panic!("{name}"));
            assert!(c.loose && !c.strong && c.kind == Kind::ApiKey, "{name}");
        }
        assert!(!classify("api_key").unwrap().loose);
        assert!(!classify("password").unwrap().loose);
    }

    #[test]
    fn short_and_misspelled_password_names() {
        for name in [
            "pw",
            "userPw",
            "db_pw",
            "dbpw",
            "pasword",
            "SMTP_PASSOWRD",
            "pssword",
            "Passwort",
            "ldap.pssword",
            "passwrod",
        ] {
            assert_eq!(kind(name), Some(Kind::Password), "{name}");
        }
        assert!(!classify("pw").unwrap().strong);
        assert!(classify("db_pw").unwrap().strong);
        for name in ["pwm", "upward", "cpw_rate"] {
            assert_eq!(kind(name), None, "{name}");
        }
    }

    #[test]
    fn spaced_names_split_into_words() {
        assert_eq!(kind("access key"), Some(Kind::ApiKey));
        assert_eq!(kind("Secret Key"), Some(Kind::Secret));
        assert_eq!(kind("secret keys"), None);
    }

    #[test]
    fn weak_names_are_marked() {
        assert!(!classify("pass").unwrap().strong);
        assert!(!classify("auth").unwrap().strong);
        assert!(!classify("token").unwrap().strong);
        assert!(classify("auth_token").unwrap().strong);
        assert!(classify("db_pwd").unwrap().strong);
    }
}
