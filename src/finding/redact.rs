//! Redaction: what a report shows of a secret by default.

/// A short, recognisable but useless form of a secret: a few leading characters (enough to see
/// the provider prefix), an ellipsis, and the last two characters. Multi-line secrets (private
/// keys) show their first line only.
pub fn redact(secret: &str) -> String {
    if let Some((first, _)) = secret.split_once('\n') {
        return format!("{}…", first.trim_end());
    }
    let chars: Vec<char> = secret.chars().collect();
    let n = chars.len();
    if n < 8 {
        return format!("{}…", chars.iter().take(1).collect::<String>());
    }
    let head = (n / 4).clamp(2, 10);
    let tail: String = chars[n - 2..].iter().collect();
    format!("{}…{}", chars[..head].iter().collect::<String>(), tail)
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn keeps_prefix_and_two_last_characters() {
        let s = "sk-proj-Ab3kQ9vLx2RmT7pWz4Nc8sYhJ1fG5dKe0uVbXq6tLr2Mw9f";
        let r = redact(s);
        assert!(r.starts_with("sk-proj-Ab"));
        assert!(r.ends_with("…9f"));
        assert!(r.chars().count() < s.len() / 2);
    }

    #[test]
    fn short_and_multiline_secrets_reveal_little() {
        assert_eq!(redact("hunter2"), "h…");
        assert_eq!(
            redact("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n"),
            "-----BEGIN RSA PRIVATE KEY-----…"
        );
    }
}
