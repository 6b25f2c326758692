//! Attribution: tie each finding to an owner (CODEOWNERS, owners file, git author) and to the
//! identity its key encodes offline.
//!
//! Two moments: [`apply_identity`] runs per finding while its blob is still in memory (some
//! formats spread identity over the surrounding document), and [`owner::resolve_owners`] runs
//! once over all findings after the scan, when paths and git authors are known.

pub mod at_commit;
pub mod codeowners;
pub mod consumers;
pub mod identity;
pub mod lifetime;
pub mod owner;
pub mod owners_file;

pub use codeowners::Codeowners;
pub use identity::decode_identity;
pub use lifetime::classify;
pub use owner::resolve_owners;
pub use owners_file::OwnersFile;

use crate::finding::Finding;
use std::ops::Range;

/// Decode the identity of `finding`'s key (found at `span` of `blob`) into `props.identity`, read
/// the name it is assigned to (`props.key_name`), then classify its lifetime and severity. Needs the clear-text secret (`finding.secret`); without it
/// only classification by rule flag runs. Call once per finding.
pub fn apply_identity(finding: &mut Finding, blob: &[u8], span: Range<usize>) {
    let span_start = span.start;
    if let Some(secret) = finding.secret.as_deref() {
        let decoded = decode_identity(
            &finding.rule_id,
            &finding.props.provider,
            secret,
            blob,
            span,
        );
        finding.props.identity.extend(decoded);
    }
    if finding.props.key_name.is_none() {
        finding.props.key_name = consumers::name::name_in_blob(blob, span_start);
    }
    classify(finding);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribution::owners_file::tests::finding;
    use crate::rules::Severity;

    #[test]
    fn apply_identity_decodes_then_classifies() {
        let blob = b"export AWS_ACCESS_KEY_ID=ASIAY34FZKBOKMUTVV7A\n";
        let mut f = finding("aws-access-key-id", "aws", "env.sh");
        f.severity = Severity::Medium;
        f.props.long_lived = true;
        f.secret = Some("ASIAY34FZKBOKMUTVV7A".into());
        apply_identity(&mut f, blob, 25..45);
        assert_eq!(f.props.identity["aws_account_id"], "609629065308");
        assert!(!f.props.long_lived);
        assert_eq!(f.severity, Severity::Medium);
    }
}
