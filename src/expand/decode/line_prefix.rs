//! PEM blocks with something written before every line: a comment marker (`# `, `// `, `* `,
//! `-- `), a mail quote (`> `), or a log prefix (`2024-05-01T12:00:00Z app[web.1]: `). The
//! prefix is what stands before `-----BEGIN ` on its line; the following lines belong to the
//! block while they start with a prefix of the same shape (same bytes, digits free, so a
//! timestamp may tick) and go on with key body, a PEM header or the END line. The view is the
//! block without its prefixes, which the private-key rules match as they would the plain file.

use crate::expand::{Budget, Encoding, MapBuilder, View};

/// Longest prefix considered.
const MAX_PREFIX: usize = 120;
/// Most lines in one block (a 16384-bit RSA key is about 200 lines).
const MAX_LINES: usize = 400;

fn same_shape(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x == y || (x.is_ascii_digit() && y.is_ascii_digit()))
}

/// What may follow the prefix on a line of the block; `Some(true)` for the END line.
fn block_line(rest: &[u8]) -> Option<bool> {
    let rest = rest.trim_ascii_end();
    if rest.starts_with(b"-----END ") {
        return Some(true);
    }
    let header = rest.starts_with(b"Proc-Type:")
        || rest.starts_with(b"DEK-Info:")
        || rest.starts_with(b"Version:")
        || rest.starts_with(b"Comment:");
    let body = rest
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
    (header || body).then_some(false)
}

/// Views of every prefixed PEM block.
pub fn views(text: &[u8], budget: &mut Budget, out: &mut Vec<View>) {
    for at in memchr::memmem::find_iter(text, b"-----BEGIN ") {
        let line_start = text[..at]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        let prefix = &text[line_start..at];
        if prefix.len() > MAX_PREFIX || prefix.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if let Some(view) = block(text, at, prefix, budget) {
            out.push(view);
        }
        if budget.exhausted() {
            return;
        }
    }
}

fn block(text: &[u8], begin: usize, prefix: &[u8], budget: &mut Budget) -> Option<View> {
    let line_end =
        |from: usize| memchr::memchr(b'\n', &text[from..]).map_or(text.len(), |i| from + i);
    let first_end = line_end(begin);
    let mut decoded = text[begin..first_end].to_vec();
    let mut map = MapBuilder::new(begin);
    map.copy(first_end - begin);
    let mut previous_end = first_end;
    let mut lines = 0;
    let mut body = false;
    while previous_end < text.len() && lines < MAX_LINES {
        let start = previous_end + 1;
        let end = line_end(start);
        let line = &text[start..end];
        let bare = prefix.trim_ascii_end();
        let rest = if line.len() >= prefix.len() && same_shape(&line[..prefix.len()], prefix) {
            &line[prefix.len()..]
        } else if line.trim_ascii_end() == bare {
            // A blank line of the block, its prefix's trailing blanks trimmed by an editor.
            &line[line.len()..]
        } else {
            break;
        };
        let Some(last) = block_line(rest) else {
            break;
        };
        let rest_start = end - rest.len();
        decoded.push(b'\n');
        map.replace(rest_start - previous_end, 1);
        decoded.extend_from_slice(rest);
        map.copy(rest.len());
        body |= !last && !rest.trim_ascii().is_empty();
        previous_end = end;
        lines += 1;
        if last {
            break;
        }
    }
    if !body || !budget.take(decoded.len()) {
        return None;
    }
    Some(View {
        encoding: Encoding::LinePrefix,
        text: decoded,
        map: map.finish(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn views_of(text: &str) -> Vec<View> {
        crate::expand::decode::views_of(views, text)
    }

    #[test]
    fn comment_markers_and_ticking_log_prefixes_are_stripped() {
        let text = "# -----BEGIN EC PRIVATE KEY-----\n# MHcCAQEEIGb6\n#\n# AAAA\n# -----END EC PRIVATE KEY-----\nnext";
        let got = views_of(text);
        assert_eq!(got.len(), 1);
        assert_eq!(
            got[0].text,
            b"-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIGb6\n\nAAAA\n-----END EC PRIVATE KEY-----"
        );
        let at = "-----BEGIN EC PRIVATE KEY-----\n".len();
        assert_eq!(&text[got[0].map.to_parent(at..at + 12)], "MHcCAQEEIGb6");

        let log = "2024-05-01 12:00:01 INFO -----BEGIN RSA PRIVATE KEY-----\n\
                   2024-05-01 12:00:02 INFO MIIEpAIBAAKCAQEA\n\
                   2024-05-01 12:00:02 INFO -----END RSA PRIVATE KEY-----\n";
        let got = views_of(log);
        assert_eq!(
            got[0].text,
            b"-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----"
        );
    }

    #[test]
    fn unprefixed_blocks_and_headers_alone_are_not_views() {
        assert!(
            views_of("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----")
                .is_empty()
        );
        assert!(
            views_of("# -----BEGIN RSA PRIVATE KEY-----\n# -----END RSA PRIVATE KEY-----")
                .is_empty()
        );
        assert!(views_of("# -----BEGIN RSA PRIVATE KEY-----\nMIIE\n").is_empty());
        assert!(views_of("x -----BEGIN ").is_empty());
    }
}
