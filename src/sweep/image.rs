//! Scanning one container image of `--image-list` incrementally.
//!
//! The image's manifest and configuration are read on every run (they are small, and the
//! configuration's `Env`, `Labels` and history are matched each time). A layer is
//! content-addressed by its digest: one the state has already matched under the current ruleset
//! hash is not read again, in this image or in any other image that shares it; its stored result
//! (its findings with their path inside the layer, and its whiteouts) is attributed to this
//! image exactly as a freshly read layer is (image, layer digest and index, `created_by`,
//! `in_final_image`). Layers without a digest are always read.

use super::SweepError;
use super::repo_config::RepoConfig;
use super::scan::{ImageWork, RepoScan, Work, scrubbed};
use super::secrets::Secrets;
use super::state::Reader;
use crate::coverage::Coverage;
use crate::expand::archive::ArchiveLimits;
use crate::finding::Finding;
use crate::matcher::RuleSet;
use crate::report::RepoInfo;
use crate::source::image::{self, ImageTarget};

/// Scan the opened image `target`, known as `identity`, reading only the layers `reader` has
/// no result for. `want_secrets`: the sweep's allowlist looks at secrets, which the state never
/// holds, so every layer is read again to learn them.
pub fn scan_image(
    target: &ImageTarget,
    identity: &str,
    reader: &Reader,
    set: &RuleSet,
    limits: ArchiveLimits,
    want_secrets: bool,
) -> Result<RepoScan, SweepError> {
    let coverage = Coverage::default();
    let hash = set.hash();
    let cached = |digest: &str| {
        if want_secrets {
            return None;
        }
        match reader.image_layer(hash, digest) {
            Ok(found) => found,
            Err(e) => {
                coverage.note(format!("{identity}: {e} (layer read again)"));
                None
            }
        }
    };
    let scan = image::scan_target_with(target, set, limits, &coverage, &cached).map_err(|e| {
        SweepError::Repo {
            identity: identity.to_string(),
            message: e.to_string(),
        }
    })?;
    let mut known = Secrets::new();
    if want_secrets {
        for f in &scan.findings {
            if let Some(secret) = &f.secret {
                let key = (f.rule_id.clone(), f.props.secret_sha256.clone());
                known.entry(key).or_insert_with(|| secret.clone());
            }
        }
    }
    let mut findings = scrubbed(scan.findings);
    for f in &mut findings {
        f.secret = None;
        f.props.repository = Some(identity.to_string());
        f.refresh_fingerprint();
    }
    findings.sort_by(|a: &Finding, b: &Finding| {
        a.sort_key()
            .cmp(&b.sort_key())
            .then(a.fingerprint.cmp(&b.fingerprint))
    });
    let read = scan
        .read
        .into_iter()
        .map(|(digest, mut result)| {
            result.findings = scrubbed(result.findings);
            (digest, result)
        })
        .collect();
    Ok(RepoScan {
        info: RepoInfo {
            uri: Some(target.display.clone()),
            ..RepoInfo::default()
        },
        tips: Vec::new(),
        git_dir: None,
        work: Work::Walked {
            complete: true,
            matched: Vec::new(),
            blob_findings: Vec::new(),
            findings,
        },
        coverage: coverage.snapshot(),
        config: RepoConfig::Absent,
        secrets: known,
        image: Some(ImageWork {
            read,
            layers_read: scan.layers_read,
            layers_reused: scan.layers_reused,
        }),
    })
}
