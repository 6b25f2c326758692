//! `keytrace scan image.tar | oci-dir/ | docker://IMAGE`: targets that are container images are
//! read as images (configuration and layers, with layer attribution), detected before a
//! directory walk or the archive stage would take them for a plain directory or tarball.

use super::scan::Collected;
use crate::cli::ScanArgs;
use crate::coverage::Coverage;
use crate::matcher::RuleSet;
use crate::pipeline;
use crate::source::image::{self, ImageTarget};

/// Scan the targets that are images (and the others as files on disk, alongside); `None` when
/// no target is an image.
pub fn scan_images(
    args: &ScanArgs,
    targets: &[String],
    set: &RuleSet,
    coverage: &Coverage,
) -> anyhow::Result<Option<Collected>> {
    let mut images: Vec<ImageTarget> = Vec::new();
    let mut rest: Vec<String> = Vec::new();
    for t in targets {
        match image::open_target(t)? {
            Some(image) => images.push(image),
            None => rest.push(t.clone()),
        }
    }
    if images.is_empty() {
        return Ok(None);
    }
    let limits = args.archives.limits();
    let mut findings = Vec::new();
    for target in &images {
        let found = pipeline::with_threads(args.threads, || {
            image::scan_target(target, set, limits, coverage)
        })?;
        findings.extend(found);
    }
    if !rest.is_empty() {
        findings.extend(super::dir_scan::scan_files(args, &rest, set, coverage)?.findings);
    }
    Ok(Some(Collected {
        kind: "image",
        findings,
        repository: None,
    }))
}
