//! Credentials of test and documentation URLs: `http://user:pass@host`,
//! `postgres://user:password@localhost/db`, `redis://:password123@localhost:6379`.
//!
//! Test suites, READMEs and docker-compose files are full of them; none is a credential anyone
//! deployed. A URL credential is a placeholder when its password is made of placeholder words
//! (`pass`, `password`, `secret`, `mysecretpassword`, `p@ssw0rd`, `hunter2`: dictionary words,
//! leetspeak, at most four digits and two symbols) **and** either its host is a test or
//! documentation host (`localhost`, loopback addresses, `host`, `example.com`, `*.test`,
//! `*.invalid`, ...) or its user is a placeholder name (`user`, `username`, `foo`, `john.doe`).
//! A random password is never a placeholder, whatever the host; nor is a placeholder password
//! of a named account on a real host (`deploy:password123@ci.acme.io` is a weak credential).
//!
//! Both detectors use it: provider rules (database URLs) through [`is_test_credential_at`],
//! the generic detector's URL extractor through [`is_test_credential`].

use std::ops::Range;

/// Words placeholder passwords are made of (lowercase, after leetspeak is undone).
const PASSWORD_WORDS: &[&str] = &[
    "pass", "password", "passwd", "passw", "pwd", "pw", "secret", "secrets", "top", "test",
    "testing", "my", "your", "some", "the", "super", "very", "foo", "bar", "baz", "qux", "user",
    "username", "admin", "root", "guest", "demo", "default", "change", "me", "changeme", "letmein",
    "let", "in", "hunter", "welcome", "qwerty", "abc", "xyz", "db", "database", "postgres",
    "mysql", "redis", "mongo", "rabbit", "example", "sample", "dummy", "fake", "token", "key",
    "login", "auth", "hello", "world", "app", "dev", "local",
];

/// Words placeholder user names are made of. Real default accounts (`admin`, `root`, `guest`,
/// `postgres`) are not among them: their weak passwords on a real host are real findings.
const USER_WORDS: &[&str] = &[
    "user",
    "username",
    "usr",
    "name",
    "login",
    "my",
    "your",
    "test",
    "tester",
    "testuser",
    "demo",
    "foo",
    "bar",
    "baz",
    "me",
    "john",
    "jane",
    "doe",
    "alice",
    "bob",
    "someone",
    "anonymous",
    "example",
    "sample",
    "dummy",
    "fake",
];

/// Host names that only tests and documentation use.
const TEST_HOSTS: &[&str] = &[
    "host",
    "hostname",
    "domain",
    "server",
    "example",
    "localhost",
    "127.0.0.1",
    "0.0.0.0",
    "::1",
    "httpbin.org",
];

/// Suffixes reserved for tests and documentation (RFC 2606, RFC 6761).
const TEST_SUFFIXES: &[&str] = &[
    ".example",
    ".test",
    ".invalid",
    ".localhost",
    ".example.com",
    ".example.net",
    ".example.org",
];

/// True when `user:password@host` is a test or documentation credential (see the module doc).
pub fn is_test_credential(user: &[u8], password: &[u8], host: &[u8]) -> bool {
    let password = decode(password);
    if !made_of(&password, PASSWORD_WORDS) && !made_of(&leet_undone(&password), PASSWORD_WORDS) {
        return false;
    }
    let user = decode(user);
    is_test_host(host) || (!user.is_empty() && made_of(&user, USER_WORDS))
}

/// [`is_test_credential`] for a secret found by a provider rule at `span` of `blob`, when it is
/// the password of a URL (`scheme://user:SECRET@host`); false for any other secret.
pub fn is_test_credential_at(blob: &[u8], span: Range<usize>) -> bool {
    if span.start == 0
        || blob.get(span.start - 1) != Some(&b':')
        || blob.get(span.end) != Some(&b'@')
    {
        return false;
    }
    let colon = span.start - 1;
    // The user is what lies between `://` and the colon, on the same line, without `/` or `@`.
    let from = colon.saturating_sub(256);
    let before = &blob[from..colon];
    let Some(scheme_end) = memchr::memmem::rfind(before, b"://").map(|i| from + i + 3) else {
        return false;
    };
    let user = &blob[scheme_end..colon];
    if user
        .iter()
        .any(|b| matches!(b, b'/' | b'@' | b'\n' | b'\r'))
    {
        return false;
    }
    let host_start = span.end + 1;
    let host_len = blob[host_start..]
        .iter()
        .take(256)
        .position(|b| {
            !(b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'[' | b']' | b':'))
        })
        .unwrap_or_else(|| (blob.len() - host_start).min(256));
    let host = &blob[host_start..host_start + host_len];
    is_test_credential(user, &blob[span], host)
}

/// Whether `host` (with or without a port, brackets around IPv6) is a test or documentation
/// host.
fn is_test_host(host: &[u8]) -> bool {
    let host = String::from_utf8_lossy(host).to_ascii_lowercase();
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default().to_string(),
        None => host.split(':').next().unwrap_or_default().to_string(),
    };
    let name = name.trim_end_matches('.');
    TEST_HOSTS.contains(&name)
        || name.starts_with("127.")
        || TEST_SUFFIXES
            .iter()
            .any(|s| name == s.trim_start_matches('.') || name.ends_with(s))
}

/// Percent-decoded and lowercased (`pass%23pass` → `pass#pass`).
fn decode(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if raw[i] == b'%'
            && let (Some(h), Some(l)) = (
                raw.get(i + 1).and_then(|&b| hex(b)),
                raw.get(i + 2).and_then(|&b| hex(b)),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(raw[i]);
        i += 1;
    }
    out.make_ascii_lowercase();
    out
}

/// Leetspeak undone: `p@ssw0rd` → `password`, `s3cr3t` → `secret`. Trailing digits stay digits
/// (`p@ssw0rd1` → `password1`).
fn leet_undone(v: &[u8]) -> Vec<u8> {
    let body = v.len() - v.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    let (body, tail) = v.split_at(body);
    body.iter()
        .map(|&b| match b {
            b'0' => b'o',
            b'1' => b'i',
            b'3' => b'e',
            b'4' | b'@' => b'a',
            b'5' | b'$' => b's',
            b'7' => b't',
            other => other,
        })
        .chain(tail.iter().copied())
        .collect()
}

/// Letters that split into `words`, at most four digits and two other characters, and at least
/// one letter.
fn made_of(v: &[u8], words: &[&str]) -> bool {
    let digits = v.iter().filter(|b| b.is_ascii_digit()).count();
    let symbols = v.iter().filter(|b| !b.is_ascii_alphanumeric()).count();
    if digits > 4 || symbols > 2 || !v.iter().any(u8::is_ascii_alphabetic) {
        return false;
    }
    v.split(|b| !b.is_ascii_alphabetic())
        .filter(|run| !run.is_empty())
        .all(|run| splits_into(run, words))
}

/// Whether `run` is a concatenation of `words` (dynamic programming over its prefixes).
fn splits_into(run: &[u8], words: &[&str]) -> bool {
    if run.len() > 64 {
        return false;
    }
    let mut reachable = vec![false; run.len() + 1];
    reachable[0] = true;
    for end in 1..=run.len() {
        reachable[end] = words.iter().any(|w| {
            let w = w.as_bytes();
            w.len() <= end && reachable[end - w.len()] && &run[end - w.len()..end] == w
        });
    }
    reachable[run.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: &str, secret: &str) -> bool {
        let start = line.find(secret).unwrap();
        is_test_credential_at(line.as_bytes(), start..start + secret.len())
    }

    #[test]
    fn test_and_documentation_urls_are_placeholders() {
        for (line, secret) in [
            ("http://user:pass@host", "pass"),
            ("https://username:password@example.com", "password"),
            ("postgres://user:password@localhost/db", "password"),
            (
                "x = 'http://user:pass%23pass@complex.url.com/path'",
                "pass%23pass",
            ),
            (
                "postgresql://postgres:mysecretpassword@localhost:5432/postgres",
                "mysecretpassword",
            ),
            (
                "REDIS_URL=redis://:password123@localhost:6379",
                "password123",
            ),
            ("https://john.doe:hunter2@api.service.com", "hunter2"),
            ("amqp://guest:s3cr3t@[::1]:5672/", "s3cr3t"),
            ("mysql://foo:P@ssw0rd!@db.test/app", "P@ssw0rd!"),
        ] {
            assert!(at(line, secret), "{line}");
        }
    }

    #[test]
    fn real_looking_credentials_are_not() {
        for (line, secret) in [
            // A random password, whatever the host.
            (
                "postgres://app:fE_38qBQnXm4Hr5n+ZGM@localhost/db",
                "fE_38qBQnXm4Hr5n+ZGM",
            ),
            (
                "postgres://user:Xk29mQz7Lp@db.prod.acme.io/app",
                "Xk29mQz7Lp",
            ),
            // A placeholder-like password of a named account on a real host: a weak credential.
            ("https://deploy:password123@ci.acme.io/api", "password123"),
            (
                "redis://:password123@cache.prod.acme.io:6379",
                "password123",
            ),
            // A default account is a real account: its weak password on a real host counts.
            ("mysql://root:password1@db.prod.acme.io/app", "password1"),
            // Not the password of a URL.
            ("password = password123@localhost", "password123"),
        ] {
            assert!(!at(line, secret), "{line}");
        }
    }

    #[test]
    fn words_split_and_leetspeak() {
        assert!(splits_into(b"mysecretpassword", PASSWORD_WORDS));
        assert!(!splits_into(b"mysecretpasswordq", PASSWORD_WORDS));
        assert!(made_of(&leet_undone(b"p@ssw0rd"), PASSWORD_WORDS));
        assert_eq!(leet_undone(b"p@ssw0rd12"), b"password12");
        assert!(!made_of(b"password123456", PASSWORD_WORDS), "five digits");
        assert!(!made_of(b"1234", PASSWORD_WORDS), "no letters");
        assert!(is_test_host(b"localhost:5432"));
        assert!(is_test_host(b"api.example.com"));
        assert!(is_test_host(b"example.org"));
        assert!(!is_test_host(b"examples.acme.io"));
        assert!(!is_test_host(b"notexample.com"));
        assert!(!is_test_host(b"db.prod.acme.io"));
    }
}
