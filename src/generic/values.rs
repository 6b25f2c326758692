//! Value filters: is the text assigned to a credential name a literal credential?
//!
//! Each filter is a small function with one question and its own tests. `verdict` applies them in
//! a fixed order; the first that decides wins. Filters err towards dropping only what no deployed
//! credential looks like (references, placeholders, hashes, paths, booleans). Well-known default
//! passwords (`changeme`, `admin`, `P@ssw0rd`) are *not* dropped: once deployed they are real
//! credentials, so they are reported as weak defaults with low confidence.

use super::names::{self, Kind};
use crate::matcher::noise;

/// A named filter: the reason it gives and the test it applies.
type Filter = (&'static str, fn(&str) -> bool);

/// What the filters decided about a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Not a literal credential; the reason names the filter.
    Drop(&'static str),
    /// A well-known default password: reported with low confidence.
    WeakDefault,
    /// Looks like a literal credential.
    Keep,
}

/// Apply every filter to `value` assigned to a name of `kind` whose words are `name_words`.
pub fn verdict(value: &str, kind: Kind, name_words: &[String]) -> Verdict {
    let v = value.trim();
    let checks: [Filter; 8] = [
        ("empty", str::is_empty),
        ("reference", is_reference),
        ("ciphertext", |v| noise::is_ciphertext(v.as_bytes())),
        ("masked", is_masked),
        ("placeholder", is_placeholder),
        ("hash", is_non_credential_hash),
        ("path", is_path),
        ("boolean", is_boolean),
    ];
    if let Some((reason, _)) = checks.iter().find(|(_, f)| f(v)) {
        return Verdict::Drop(reason);
    }
    if v.starts_with("-----BEGIN") {
        return Verdict::Keep;
    }
    if names_ciphertext(name_words) && is_blob(v) {
        return Verdict::Drop("ciphertext");
    }
    if equals_name(v, name_words) {
        return Verdict::Drop("value-is-name");
    }
    if is_weak_default(v) {
        return Verdict::WeakDefault;
    }
    if is_number(v) && kind != Kind::Password {
        return Verdict::Drop("number");
    }
    let later: [Filter; 3] = [
        ("repeated", is_repeated),
        ("prose", is_prose),
        ("identifier", is_identifier_like),
    ];
    if let Some((reason, _)) = later.iter().find(|(_, f)| f(v)) {
        return Verdict::Drop(reason);
    }
    if v.chars().count() < min_len(kind) {
        return Verdict::Drop("short");
    }
    if matches!(kind, Kind::Token | Kind::ApiKey) && is_plain_word(v) {
        return Verdict::Drop("word");
    }
    if kind != Kind::Password && is_resource_name(v) {
        return Verdict::Drop("resource-name");
    }
    Verdict::Keep
}

/// Words of a name that say its value is encrypted (`encrypted_password`, `kms_token`,
/// `ciphertext_secret`, `sealed_key`).
const CIPHERTEXT_NAME_WORDS: &[&str] = &["encrypted", "ciphertext", "kms", "sealed"];

/// The name says its value is encrypted.
pub fn names_ciphertext(name_words: &[String]) -> bool {
    name_words
        .iter()
        .any(|w| CIPHERTEXT_NAME_WORDS.contains(&w.as_str()))
}

/// Base64 or hex of 24 characters or more: what ciphertext is stored as.
pub fn is_blob(v: &str) -> bool {
    v.len() >= 24
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=_-".contains(&b))
}

/// Shortest value a loose `key` name (`mailgun_key`, a plain `key`) may hold.
const MIN_RANDOM_LEN: usize = 16;

/// Does `v` look like a generated token rather than a word, an identifier, a dotted or
/// coloned lookup key, a hash or an id? Asked of the values of loose names
/// ([`names::NameClass::loose`]): `cache_key = "user_profile_42"`, `key: home.title`,
/// `key: 3f2b8c1e-…` (a UUID) and `"key": "5d41402a…"` (an MD5, for a plain `key`) are not
/// credentials. `plain` is true for a plain `key`, which must also not be bare hex.
pub fn looks_random(v: &str, plain: bool) -> bool {
    let b = v.as_bytes();
    if b.len() < MIN_RANDOM_LEN
        || !b
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || b"_-+/=~".contains(c))
    {
        return false;
    }
    let digits = b.iter().filter(|c| c.is_ascii_digit()).count();
    if digits == 0 || digits == b.len() || is_uuid(v) {
        return false;
    }
    if plain && b.iter().all(u8::is_ascii_hexdigit) {
        return false;
    }
    // Identifiers change character class rarely (`welcomeTitle2`: 2 times); random text often.
    let class = |c: u8| match c {
        b'a'..=b'z' => 0,
        b'A'..=b'Z' => 1,
        b'0'..=b'9' => 2,
        _ => 3,
    };
    let changes = b.windows(2).filter(|w| class(w[0]) != class(w[1])).count();
    if changes < 4 || changes * 4 < b.len() {
        return false;
    }
    // `created_at_desc`, `user_profile_v2_2024`: words and short parts joined by separators.
    let parts: Vec<&str> = v.split(['_', '-']).filter(|p| !p.is_empty()).collect();
    let n = parts.len();
    let wordy = parts
        .iter()
        .filter(|p| p.len() >= 3 && p.bytes().all(|c| c.is_ascii_lowercase()))
        .count();
    let short_parts = n >= 3 && parts.iter().map(|p| p.len()).sum::<usize>() < 6 * n;
    // `TopSecretOrgKey`, `welcomeTitle2`: words of three letters or more make up most of it.
    if camel_word_bytes(v) * 10 >= b.len() * 7 {
        return false;
    }
    let identifier = (n >= 2 && wordy * 2 > n) || (n >= 3 && wordy * 2 >= n) || short_parts;
    !identifier && crate::matcher::entropy::shannon_entropy(b) >= 3.3
}

/// Bytes of `v` in words of three letters or more, lowercase or capitalised (`welcome`,
/// `Secret`): identifiers are made of them, random text only now and then.
fn camel_word_bytes(v: &str) -> usize {
    let b = v.as_bytes();
    let mut total = 0;
    let mut i = 0;
    while i < b.len() {
        let head = usize::from(b[i].is_ascii_uppercase());
        let run = b[i + head..]
            .iter()
            .take_while(|c| c.is_ascii_lowercase())
            .count();
        if run >= 2 && head + run >= 3 {
            total += head + run;
        }
        i += (head + run).max(1);
    }
    total
}

/// `8-4-4-4-12` hexadecimal: a UUID, used as an id.
pub fn is_uuid(v: &str) -> bool {
    let groups: Vec<&str> = v.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|c| c.is_ascii_hexdigit()))
}

/// Shortest value worth reporting for a kind of name.
pub fn min_len(kind: Kind) -> usize {
    match kind {
        Kind::Password | Kind::Secret => 4,
        Kind::Token | Kind::ApiKey => 8,
        Kind::PrivateKey => 16,
    }
}

/// Markers of a variable, template or lookup (lowercase). Secret-manager markers are shared
/// with the provider rules: `matcher::noise::SECRET_MANAGER_MARKERS`.
const LOOKUP_MARKERS: &[&str] = &[
    "${",
    "{{",
    "{%",
    "<%",
    "#{",
    "$(",
    "%(",
    "os.environ",
    "getenv",
    "process.env",
    "env[",
    "env.fetch",
    "environment.getenvironmentvariable",
    "import.meta.env",
    "{env:",
    "%env(",
];

/// A reference to a value kept elsewhere: `${VAR}`, `$VAR`, `%VAR%`, `os.environ[...]`,
/// `process.env.X`, `getenv()`, `ENV[...]`, templates (`{{ }}`, `<%= %>`, `#{}`), YAML tags
/// (`!vault`, `!Ref`), secret managers (`op://`, `vault:`, `${{ secrets.X }}`,
/// `arn:aws:secretsmanager:`, `ENC[`), format placeholders (`{0}`, `%s`) and bind parameters
/// (`:password`, `@password`, `?`).
pub fn is_reference(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    if LOOKUP_MARKERS.iter().any(|m| lower.contains(m)) || noise::is_reference(lower.as_bytes()) {
        return true;
    }
    let b = v.as_bytes();
    let first = b.first().copied().unwrap_or(0);
    let second = b.get(1).copied().unwrap_or(0);
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    (first == b'$' && (ident(second) || second == b'{'))
        || (first == b'%' && b.len() > 2 && b[b.len() - 1] == b'%')
        || (first == b'!' && second.is_ascii_alphabetic())
        || (first == b'{' && b.last() == Some(&b'}'))
        || (first == b':' && ident(second))
        || (first == b'@' && ident(second))
        || v == "?"
        || v == "%s"
        || v.starts_with("__") && v.ends_with("__")
        || v.starts_with('`')
}

/// Masked or redacted values: `****`, `•••`, `xxxx`, `[REDACTED]`, `<hidden>`.
pub fn is_masked(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    if ["redacted", "[filtered]", "<hidden>", "masked", "********"]
        .iter()
        .any(|m| lower.contains(m))
    {
        return true;
    }
    v.chars().count() >= 3
        && v.chars()
            .all(|c| matches!(c, '*' | '•' | '●' | 'x' | 'X' | '#' | '.' | '-' | '…'))
}

/// Exact lowercase values that only ever stand for "no value here".
const PLACEHOLDER_VALUES: &[&str] = &[
    "none",
    "null",
    "nil",
    "undefined",
    "empty",
    "n/a",
    "na",
    "tbd",
    "todo",
    "fixme",
    "foo",
    "bar",
    "baz",
    "foobar",
    "xyz",
    "abc",
    "string",
    "str",
    "required",
    "optional",
    "blank",
    "notset",
    "not-set",
    "not_set",
    "unset",
    "hidden",
    "secret-value",
    "<secret>",
];

/// Substrings (lowercase) that mark documentation and placeholder values.
const PLACEHOLDER_MARKERS: &[&str] = &[
    "your_",
    "your-",
    "yourpass",
    "yoursecret",
    "yourtoken",
    "yourkey",
    "your ",
    "example",
    "placeholder",
    "dummy",
    "sample",
    "fake",
    "replace",
    "insert_",
    "insert-",
    "enter_",
    "enter-",
    "put_",
    "fill_in",
    "fillme",
    "xxxx",
    "...",
    "…",
    "todo",
    "fixme",
    "goes_here",
    "goes-here",
    "_here",
    "-here",
    "here>",
];

/// Placeholders and documentation values: `your-password`, `<password>`, `xxx`, `...`, `TODO`,
/// `none`, `null`, `[password]`, `REPLACE_ME`, and the example credentials of standards
/// (`noise::is_documented_example`).
pub fn is_placeholder(v: &str) -> bool {
    if noise::is_documented_example(v.as_bytes()) {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    if PLACEHOLDER_VALUES.contains(&lower.as_str()) {
        return true;
    }
    if PLACEHOLDER_MARKERS.iter().any(|m| lower.contains(m)) {
        return true;
    }
    let wrapped = |open: char, close: char| v.starts_with(open) && v.ends_with(close);
    wrapped('<', '>') || wrapped('[', ']') || wrapped('(', ')')
}

/// The value restates the name or its head word: `password: password`, `api_key: "key"`,
/// `client_secret: SECRET`. (Qualifiers do not count: `MYSQL_ROOT_PASSWORD=root` is a weak
/// default, not a restatement.)
pub fn equals_name(v: &str, name_words: &[String]) -> bool {
    let norm: String = v
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    if norm.is_empty() {
        return false;
    }
    name_words.last() == Some(&norm)
        || name_words.concat() == norm
        || name_words
            .iter()
            .any(|w| *w == norm && names::is_credential_word(w))
}

/// Hashes and digests that are not credentials: bcrypt `$2b$`, argon2 `$argon2id$`, crypt(3)
/// `$6$`, LDAP `{SSHA}`, Django `pbkdf2_sha256$`, lockfile integrity `sha512-`, `sha256:` digests,
/// MySQL native hashes `*` + 40 hex.
pub fn is_non_credential_hash(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    let prefixes = [
        "$2a$",
        "$2b$",
        "$2y$",
        "$argon2",
        "$1$",
        "$5$",
        "$6$",
        "$y$",
        "$pbkdf2",
        "{ssha}",
        "{sha}",
        "{bcrypt}",
        "{noop}",
        "pbkdf2_sha",
        "sha1$",
        "md5$",
        "sha512-",
        "sha384-",
        "sha256-",
        "sha1-",
        "sha256:",
        "sha512:",
        "sha1:",
        "md5:",
    ];
    if prefixes.iter().any(|p| lower.starts_with(p)) {
        return true;
    }
    lower.len() == 41 && lower.starts_with('*') && lower[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// File-system paths and file names: `/etc/secret`, `./key.pem`, `~/.ssh/id_rsa`, `C:\keys`,
/// `secrets.json`.
pub fn is_path(v: &str) -> bool {
    let b = v.as_bytes();
    if v.starts_with("./") || v.starts_with("../") || v.starts_with("~/") {
        return true;
    }
    if b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && (b[2] == b'\\' || b[2] == b'/')
    {
        return true;
    }
    if v.starts_with('/') && v.len() > 1 && !v[1..].starts_with('/') {
        let segments = v.split('/').filter(|s| !s.is_empty()).count();
        let tame = v
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"/._-".contains(&c));
        if segments >= 2 || (tame && v.len() < 24) {
            return true;
        }
    }
    let lower = v.to_ascii_lowercase();
    let exts = [
        ".pem",
        ".key",
        ".crt",
        ".cer",
        ".p12",
        ".pfx",
        ".jks",
        ".keystore",
        ".json",
        ".yaml",
        ".yml",
        ".txt",
        ".env",
        ".gpg",
        ".asc",
        ".pub",
        ".conf",
        ".properties",
        ".xml",
        ".ini",
    ];
    exts.iter().any(|e| lower.ends_with(e))
        && lower
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"/._-\\".contains(&c))
}

/// `true`, `false`, `yes`, `no`, `on`, `off` in any case.
pub fn is_boolean(v: &str) -> bool {
    matches!(
        v.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "enabled" | "disabled" | "0" | "1"
    )
}

/// Digits only (with an optional sign or decimal point): a number, not a key.
pub fn is_number(v: &str) -> bool {
    let t = v.trim_start_matches(['-', '+']);
    !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

/// Default and famous passwords (lowercase). Reported as weak defaults, not dropped.
const WEAK_DEFAULTS: &[&str] = &[
    "changeme",
    "change_me",
    "change-me",
    "changeit",
    "admin",
    "administrator",
    "password",
    "passw0rd",
    "p@ssw0rd",
    "p@ssword",
    "p4ssw0rd",
    "pa55word",
    "pass",
    "root",
    "toor",
    "secret",
    "s3cr3t",
    "qwerty",
    "letmein",
    "welcome",
    "default",
    "guest",
    "test",
    "testing",
    "demo",
    "user",
    "login",
    "master",
    "manager",
    "tomcat",
    "mysql",
    "postgres",
    "oracle",
    "iloveyou",
    "monkey",
    "dragon",
    "trustno1",
    "temp",
    "mypassword",
    "mysecret",
    "123456",
    "1234",
    "12345",
    "12345678",
    "123456789",
    "1234567890",
    "111111",
    "000000",
    "abc123",
];

/// A well-known default or famous password, possibly with a common suffix (`admin123`,
/// `Password1!`, `changeme2`).
pub fn is_weak_default(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    let core = lower.trim_end_matches(['!', '?', '.', '#', '$']);
    let core = ["123", "1", "2", "01", "2024", "2023"]
        .iter()
        .find_map(|s| {
            core.strip_suffix(s)
                .filter(|c| WEAK_DEFAULTS.contains(c) && !c.is_empty())
        })
        .unwrap_or(core);
    WEAK_DEFAULTS.contains(&core)
}

/// Two or fewer distinct characters (`aaaaaaaa`, `abababab`), or an ascending run of the whole
/// value (`abcdefgh`).
pub fn is_repeated(v: &str) -> bool {
    let mut distinct: Vec<char> = v.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if v.chars().count() >= 4 && distinct.len() <= 2 {
        return true;
    }
    let b = v.as_bytes();
    b.len() >= 6 && b.windows(2).all(|w| w[1] == w[0].wrapping_add(1))
}

/// Whitespace inside the value: a sentence or label (`"Enter your password"`), not a secret.
pub fn is_prose(v: &str) -> bool {
    v.split_whitespace().count() > 1
}

/// A field or variable name rather than a value: `DB_PASSWORD`, `user_password`, `auth.token`.
pub fn is_identifier_like(v: &str) -> bool {
    let upper_snake = v.contains('_')
        && v.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        && v.bytes().any(|b| b.is_ascii_uppercase());
    if upper_snake {
        return true;
    }
    let lower_sep = v
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.-".contains(&b))
        && v.bytes().any(|b| b"_.-".contains(&b));
    lower_sep && names::words(v).iter().any(|w| names::is_credential_word(w))
}

/// Lowercase words joined by hyphens (`redis-auth`, `db-credentials`): the name of a Kubernetes
/// Secret or vault entry that holds the credential, not the credential.
pub fn is_resource_name(v: &str) -> bool {
    v.contains('-')
        && !v.starts_with('-')
        && !v.ends_with('-')
        && v.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
}

/// Letters only and short: an ordinary word such as `bearer` or `session`.
pub fn is_plain_word(v: &str) -> bool {
    v.len() < 16 && v.bytes().all(|b| b.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(name: &str) -> Vec<String> {
        names::words(name)
    }

    #[test]
    fn references_and_lookups() {
        for v in [
            "${DB_PASSWORD}",
            "$DB_PASSWORD",
            "%DB_PASSWORD%",
            "os.environ['X']",
            "process.env.X",
            "getenv(\"X\")",
            "ENV['X']",
            "{{ .Values.password }}",
            "<%= ENV['X'] %>",
            "op://vault/item/password",
            "vault:secret/data/db#password",
            "${{ secrets.DB_PASSWORD }}",
            "arn:aws:secretsmanager:us-east-1:1:secret:db",
            "ENC[AES256_GCM,data:abc]",
            "!vault",
            "{0}",
            ":password",
            "@password",
            "?",
            "#{db_password}",
            "__DB_PASSWORD__",
        ] {
            assert!(is_reference(v), "{v}");
        }
        for v in ["hunter2", "S3cr3t!x", "p$ssword", "a%b"] {
            assert!(!is_reference(v), "{v}");
        }
    }

    #[test]
    fn ciphertexts_are_dropped() {
        let pw = w("password");
        for v in [
            "ENC(G6N718UuyPE5bHyWKyuLQSm02auQPUtm)",
            "{cipher}AQA4Fk2xL9mQ7zR2vP8wT1yB",
            "encrypted:Qm4zK8wLp2xR7vT1",
            "enc:Qm4zK8wLp2xR7vT1",
        ] {
            assert_eq!(
                verdict(v, Kind::Password, &pw),
                Verdict::Drop("ciphertext"),
                "{v}"
            );
        }
        let transit = "vault:v1:8SDd3WHDOjf7mq69CyCqYjBXAiQQAVZRkFM13ok481zoCmHnSeDX9vyf7w==";
        assert!(matches!(
            verdict(transit, Kind::Password, &pw),
            Verdict::Drop(_)
        ));
        let blob = "AQICAHhx8Vq2pT4nR7mL0kZ3wY9cB6fJ1dG5sH8aE2uI4oN7rXUbzSPZmJPshDaTyhZ0q";
        assert_eq!(
            verdict(blob, Kind::Password, &pw),
            Verdict::Drop("ciphertext")
        );
        let b64 = "Zm9x3LqP8vR2kT7wY4nB6cD1eF5gH9jK";
        assert_eq!(
            verdict(b64, Kind::Token, &w("kms_encrypted_token")),
            Verdict::Drop("ciphertext")
        );
        assert_eq!(verdict(b64, Kind::Token, &w("auth_token")), Verdict::Keep);
        assert_eq!(
            verdict("hunter2x", Kind::Password, &w("encrypted_password")),
            Verdict::Keep
        );
    }

    #[test]
    fn random_looking_values_of_loose_keys() {
        for v in [
            "sBOxCofcC8hnkDI9imwvaRjzgqTD",
            "3De1bdne07Qo4i19c9O6se9oYjFs",
            "key-3ax6xnjp29jd6fds4gc373sgvj",
        ] {
            assert!(looks_random(v, true), "{v}");
        }
        assert!(looks_random("a8f5f167f44f4964e6c998dee827110c", false));
        for v in [
            "a8f5f167f44f4964e6c998dee827110c",
            "3f2b8c1e-9d4a-4e7b-a6c5-1d2e3f4a5b6c",
            "user_profile_42_v3",
            "home.header.welcomeTitle",
            "welcomeMessageTitle2",
            "user_profile_v2_2024",
            "TopSecretOrgKey-42",
            "created_at_desc",
            "user:1234:profile",
            "ALPHA_NUMERIC_KEY",
            "shortKey1",
        ] {
            assert!(!looks_random(v, true), "{v}");
        }
    }

    #[test]
    fn placeholders_masks_and_names() {
        for v in [
            "your-password",
            "<password>",
            "...",
            "TODO",
            "none",
            "null",
            "[password]",
            "REPLACE_ME",
            "insert_key_here",
        ] {
            assert!(is_placeholder(v), "{v}");
        }
        for v in ["****", "xxxxxx", "•••••", "[REDACTED]"] {
            assert!(is_masked(v), "{v}");
        }
        assert!(equals_name("password", &w("password")));
        assert!(equals_name("SECRET", &w("client_secret")));
        assert!(!equals_name("hunter2", &w("password")));
        assert!(!is_placeholder("Tr0ub4dor&3"));
        assert!(!is_masked("x9x9x9"));
    }

    #[test]
    fn hashes_paths_booleans_numbers() {
        assert!(is_non_credential_hash(
            "$2b$12$KIXQ4cQ2v1z3Lr9pQ6nG5uQx1y2z3a4b5c6d7e8f9g0h1i2j3k4l5"
        ));
        assert!(is_non_credential_hash(
            "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"
        ));
        assert!(is_non_credential_hash("sha512-Q3v9TzLk2mWp8RbX4nYc=="));
        assert!(!is_non_credential_hash("Q3v9TzLk2mWp8RbX4nYc"));
        assert!(is_path("/etc/app/secret"));
        assert!(is_path("./certs/key.pem"));
        assert!(is_path("C:\\keys\\app.pfx"));
        assert!(is_path("secrets.json"));
        assert!(!is_path("/Ab3+kQ9vLx2RmT7pWz4Nc8sYhJ1fG5dKe"));
        assert!(is_boolean("True") && is_boolean("off"));
        assert!(is_number("3600") && !is_number("36a0"));
    }

    #[test]
    fn weak_defaults_and_shapes() {
        for v in [
            "changeme",
            "admin",
            "P@ssw0rd",
            "root",
            "admin123",
            "Password1!",
        ] {
            assert!(is_weak_default(v), "{v}");
        }
        assert!(!is_weak_default("hunter2"));
        assert!(is_repeated("aaaaaaaa") && is_repeated("abababab") && is_repeated("abcdefgh"));
        assert!(!is_repeated("abcd1234x"));
        assert!(is_prose("Enter your password"));
        assert!(is_identifier_like("DB_PASSWORD") && is_identifier_like("user_password"));
        assert!(!is_identifier_like("Xk9_2mPq"));
        assert!(is_plain_word("session") && !is_plain_word("s3ssion"));
        assert!(is_resource_name("redis-auth") && !is_resource_name("x9-q8z-Lm"));
    }

    #[test]
    fn verdict_order() {
        let pw = w("password");
        assert_eq!(
            verdict("changeme", Kind::Password, &pw),
            Verdict::WeakDefault
        );
        assert_eq!(
            verdict("password", Kind::Password, &pw),
            Verdict::Drop("value-is-name")
        );
        assert_eq!(
            verdict("${X}", Kind::Password, &pw),
            Verdict::Drop("reference")
        );
        assert_eq!(verdict("hunter2", Kind::Password, &pw), Verdict::Keep);
        assert_eq!(
            verdict("abc", Kind::Password, &pw),
            Verdict::Drop("placeholder")
        );
        assert_eq!(verdict("q1", Kind::Password, &pw), Verdict::Drop("short"));
        assert_eq!(
            verdict("3600", Kind::Token, &w("token")),
            Verdict::Drop("number")
        );
        assert_eq!(
            verdict("refreshing", Kind::Token, &w("token")),
            Verdict::Drop("word")
        );
    }
}
