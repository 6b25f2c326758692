//! Context around a kept candidate that makes it a reference or a ciphertext after all.
//!
//! The value filters ([`super::values`]) judge a value by itself. Some values are only known
//! for what they are from their surroundings: `secret:prod/db` is the tail of an AWS Secrets
//! Manager ARN, `password: AgBy3i…` sits under a sealed secret's `encryptedData:`, and
//! `-field=password` is part of a `vault kv get` command. Neither holds a secret: a reference
//! points at one and a ciphertext needs a key kept elsewhere. These checks run only on the few
//! candidates that passed every other filter, so they may read backwards.

use std::ops::Range;

/// Markers (lowercase) of a secret-manager reference that a value can be the tail of:
/// `arn:aws:secretsmanager:…:secret:prod/x`, `vault:secret/data/x#password`.
const REFERENCE_PREFIXES: &[&str] = &[
    "arn:aws:secretsmanager:",
    "arn:aws:ssm:",
    "vault:",
    "vault://",
    "op://",
    "akv://",
    "keyvault://",
    "gcp-secret://",
    "{{resolve:",
];

/// Markers (lowercase) of a line that reads from a secret manager: `vault kv get -field=password
/// secret/app`, consul-template's `{{ with secret "secret/data/app" }}`.
const READING_LINES: &[&str] = &[
    "vault kv get ",
    "vault read ",
    "with secret \"",
    "with secret '",
];

/// Keys (lowercase) whose children are ciphertexts: Bitnami sealed secrets (`encryptedData`)
/// and the like.
const ENCRYPTED_PARENTS: &[&str] = &["encrypteddata:", "encrypted_data:", "encryptedsecrets:"];

/// How far back a reference token or a parent key is looked for.
const MAX_BACK: usize = 512;
const MAX_PARENT_LINES: usize = 200;

/// True when the candidate value at `span` is part of a secret-manager reference, on a line
/// that reads from a secret manager, or a child of an encrypted-data key. (The value's line is
/// not always the name's: a sibling `value:` may sit on the next one.)
pub fn refers_or_encrypted(bytes: &[u8], span: &Range<usize>) -> bool {
    let line = super::lex::line_around(bytes, span.start);
    in_reference_token(bytes, &line, span)
        || reads_secret_manager(&bytes[line.clone()])
        || under_encrypted_parent(bytes, &line)
}

/// The whitespace- and quote-delimited token that ends with the value holds a reference
/// prefix: the value is a piece of the reference.
fn in_reference_token(bytes: &[u8], line: &Range<usize>, span: &Range<usize>) -> bool {
    let floor = line.start.max(span.start.saturating_sub(MAX_BACK));
    let mut start = span.start;
    while start > floor && !matches!(bytes[start - 1], b' ' | b'\t' | b'"' | b'\'' | b'`') {
        start -= 1;
    }
    // A value may run past its line (or start on its `\r`): read no further than the line.
    let end = span.end.min(line.end).max(start);
    let token = bytes[start..end].to_ascii_lowercase();
    REFERENCE_PREFIXES
        .iter()
        .any(|m| memchr::memmem::find(&token, m.as_bytes()).is_some())
}

fn reads_secret_manager(line: &[u8]) -> bool {
    let lower = line.to_ascii_lowercase();
    READING_LINES
        .iter()
        .any(|m| memchr::memmem::find(&lower, m.as_bytes()).is_some())
}

/// Indentation of a line (spaces and tabs), or `None` for a blank or comment line.
fn indent(line: &[u8]) -> Option<usize> {
    let n = line
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count();
    match line.get(n) {
        None | Some(b'#') => None,
        Some(_) => Some(n),
    }
}

/// The nearest less-indented line above (the YAML parent key) is an encrypted-data key.
fn under_encrypted_parent(bytes: &[u8], line: &Range<usize>) -> bool {
    let Some(own) = indent(&bytes[line.clone()]) else {
        return false;
    };
    if own == 0 {
        return false;
    }
    let mut end = line.start;
    for _ in 0..MAX_PARENT_LINES {
        if end == 0 {
            return false;
        }
        // `end` is the start of the line below; the line above ends at its `\n`.
        let above_end = end - 1;
        let above_start = memchr::memrchr(b'\n', &bytes[..above_end]).map_or(0, |i| i + 1);
        let above = bytes[above_start..above_end].trim_ascii_end();
        end = above_start;
        let Some(n) = indent(above) else {
            continue;
        };
        if n < own {
            let key = above[n..].to_ascii_lowercase();
            let key = key.strip_prefix(b"- ").unwrap_or(&key);
            return ENCRYPTED_PARENTS
                .iter()
                .any(|p| key.starts_with(p.as_bytes()));
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, value: &str) -> bool {
        let b = text.as_bytes();
        let at = text.rfind(value).unwrap();
        refers_or_encrypted(b, &(at..at + value.len()))
    }

    #[test]
    fn tails_of_references() {
        assert!(check(
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-Ab12",
            "prod/db-Ab12"
        ));
        assert!(check(
            "x: \"vault:secret/data/app#password=Qw8zLp2x\"",
            "Qw8zLp2x"
        ));
        assert!(!check("secret: prod/db-Ab12", "prod/db-Ab12"));
        assert!(!check("password=Qw8zLp2x vault=on", "Qw8zLp2x"));
    }

    #[test]
    fn secret_manager_command_lines() {
        assert!(check(
            "PW=$(vault kv get -field=password secret/app)",
            "secret/app"
        ));
        assert!(check(
            "{{ with secret \"db/creds\" }}password={{ .Data.password }}",
            "password"
        ));
        assert!(!check(
            "vault kv put secret/app password=Qw8zLp2x",
            "Qw8zLp2x"
        ));
    }

    #[test]
    fn values_that_leave_their_line_do_not_panic() {
        let b = b"password: x\r\ny";
        for span in [10..12, 11..13, 12..14, 0..14] {
            let _ = refers_or_encrypted(b, &span);
        }
    }

    #[test]
    fn children_of_encrypted_data() {
        let sealed =
            "kind: SealedSecret\nspec:\n  encryptedData:\n    # db\n    password: AgBy3i4OJSWK\n";
        assert!(check(sealed, "AgBy3i4OJSWK"));
        let plain = "kind: Secret\nstringData:\n  password: Qw8zLp2xR4\n";
        assert!(!check(plain, "Qw8zLp2xR4"));
        assert!(!check("password: Qw8zLp2xR4\n", "Qw8zLp2xR4"));
    }
}
