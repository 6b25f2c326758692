//! Container images as a source: a `docker save` tarball, an OCI image layout (archive or
//! directory), or `docker://IMAGE` exported from a local daemon. The configuration (`Env`,
//! `Cmd`, `Entrypoint`, `Labels`, `history[].created_by`) and every layer's files are matched;
//! each finding names the image, the layer (digest, index, the `created_by` instruction that
//! made it) and whether the file is still in the final image (whiteouts of later layers), and
//! takes its owner from the labels. See `docs/archives-and-images.md`.

mod config;
pub mod daemon;
mod layer;
pub mod manifest;
pub mod store;

use crate::blob::Origin;
use crate::coverage::{Coverage, SkipReason};
use crate::expand::archive::{ARCHIVE_SEPARATOR, ArchiveLimits};
use crate::finding::{Finding, ImageProps, SourceKind};
use crate::matcher::{Matcher, RuleSet};
use crate::pipeline;
use config::ConfigFacts;
pub use layer::LayerChanges;
use manifest::{ImageRef, LayerRef};
use std::path::Path;
use store::Store;

pub use config::{LABEL_AUTHORS, LABEL_MAINTAINER, LABEL_SOURCE};

/// Prefix of a target naming an image in the local daemon.
pub const DOCKER_SCHEME: &str = "docker://";
/// `owner_source` of an owner taken from an image label.
pub const OWNER_SOURCE_LABEL: &str = "image-label";

/// An image target, opened.
#[derive(Debug)]
pub struct ImageTarget {
    /// How findings name the artifact: the target as given.
    pub display: String,
    pub store: Store,
    /// The exported archive of a `docker://` target, removed when the target is dropped.
    _export: Option<daemon::Export>,
}

/// An image target that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("{target}: {source}")]
    Manifest {
        target: String,
        source: manifest::ManifestError,
    },
    #[error("{target}: {message}")]
    Io { target: String, message: String },
    #[error(transparent)]
    Daemon(#[from] daemon::DaemonError),
}

/// Open `target` as an image when it is one: `docker://IMAGE`, a directory holding an OCI
/// layout (`oci-layout` and `index.json`), or a tar file holding `manifest.json` or an OCI
/// layout. `Ok(None)` for anything else (a plain directory or archive).
pub fn open_target(target: &str) -> Result<Option<ImageTarget>, ImageError> {
    if let Some(name) = target.strip_prefix(DOCKER_SCHEME) {
        let export = daemon::export(name)?;
        let store = Store::tarball(export.path()).map_err(|e| io_error(target, &e))?;
        return Ok(Some(ImageTarget {
            display: target.to_string(),
            store,
            _export: Some(export),
        }));
    }
    let path = Path::new(target);
    let store = if path.is_dir() {
        if !(path.join("oci-layout").is_file() && path.join("index.json").is_file()) {
            return Ok(None);
        }
        Store::Dir(path.to_path_buf())
    } else if path.is_file() && starts_as_tar(path) {
        match Store::tarball(path) {
            Ok(store) => store,
            // A damaged tar is no image: the archive stage will count it.
            Err(_) => return Ok(None),
        }
    } else {
        return Ok(None);
    };
    if !manifest::is_image(&store) {
        return Ok(None);
    }
    let display = target.trim_end_matches('/').to_string();
    let display = display
        .strip_prefix("./")
        .map(str::to_string)
        .unwrap_or(display);
    Ok(Some(ImageTarget {
        display,
        store,
        _export: None,
    }))
}

/// Whether the file starts with an (uncompressed) tar header.
fn starts_as_tar(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; crate::expand::archive::sniff::TAR_BLOCK];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| crate::expand::archive::sniff::is_tar_header(&head))
}

fn io_error(target: &str, e: &dyn std::fmt::Display) -> ImageError {
    ImageError::Io {
        target: target.to_string(),
        message: crate::exit::one_line(&e.to_string()),
    }
}

/// Scan every image of an opened target.
pub fn scan_target(
    target: &ImageTarget,
    set: &RuleSet,
    limits: ArchiveLimits,
    coverage: &Coverage,
) -> Result<Vec<Finding>, ImageError> {
    Ok(scan_target_with(target, set, limits, coverage, &|_| None)?.findings)
}

/// What one layer gave, independent of the image it is part of: its findings with their path
/// inside the layer (`archive_path` starts with the file's path in the layer, then any inner
/// archive levels), and what it changes in the layers below. A layer is content-addressed by
/// its digest, so this is the same in every image that shares the layer (sweeps store it, see
/// `crate::sweep::image`).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct LayerResult {
    pub changes: LayerChanges,
    pub findings: Vec<Finding>,
}

/// A target's findings, and what its layers gave.
#[derive(Debug, Default)]
pub struct TargetScan {
    /// Every finding, attributed to its image and layer.
    pub findings: Vec<Finding>,
    /// (layer digest, result) of every layer read now that has a digest.
    pub read: Vec<(String, LayerResult)>,
    /// Layers read now.
    pub layers_read: u64,
    /// Layers whose result `cached` answered (not read).
    pub layers_reused: u64,
}

/// Scan every image of an opened target; a layer whose digest `cached` answers is not read,
/// its stored result is attributed to this image instead. `cached` is called on the calling
/// thread only.
pub fn scan_target_with(
    target: &ImageTarget,
    set: &RuleSet,
    limits: ArchiveLimits,
    coverage: &Coverage,
    cached: &dyn Fn(&str) -> Option<LayerResult>,
) -> Result<TargetScan, ImageError> {
    let images = manifest::read_images(&target.store).map_err(|source| ImageError::Manifest {
        target: target.display.clone(),
        source,
    })?;
    let mut out = TargetScan::default();
    for image in &images {
        scan_image(target, image, set, limits, coverage, cached, &mut out);
    }
    Ok(out)
}

/// What every finding of one image shares.
struct ImageContext<'a> {
    target: &'a ImageTarget,
    image: &'a ImageRef,
    facts: ConfigFacts,
    /// The configuration's digest: as the layout names it, else computed from its bytes.
    image_id: Option<String>,
}

#[allow(clippy::too_many_arguments)]
fn scan_image(
    target: &ImageTarget,
    image: &ImageRef,
    set: &RuleSet,
    limits: ArchiveLimits,
    coverage: &Coverage,
    cached: &dyn Fn(&str) -> Option<LayerResult>,
    out: &mut TargetScan,
) {
    let (facts, image_id) = match target.store.read_json_bytes(&image.config_path) {
        Ok(bytes) => {
            let facts = config::parse(&bytes).unwrap_or_else(|| {
                coverage.note(format!(
                    "{}: image configuration not readable",
                    target.display
                ));
                ConfigFacts::default()
            });
            let id = image.config_digest.clone().or_else(|| {
                use sha2::Digest;
                Some(format!(
                    "sha256:{}",
                    hex::encode(sha2::Sha256::digest(&bytes))
                ))
            });
            (facts, id)
        }
        Err(e) => {
            coverage.skip(SkipReason::Unreadable);
            coverage.note(format!("{}: {e}", target.display));
            (ConfigFacts::default(), image.config_digest.clone())
        }
    };
    let context = ImageContext {
        target,
        image,
        facts,
        image_id,
    };
    out.findings.extend(scan_config(&context, set, coverage));
    let digests: Vec<Option<String>> = (0..image.layers.len())
        .map(|i| context.layer_digest(i))
        .collect();
    let mut results: Vec<Option<LayerResult>> = digests
        .iter()
        .map(|d| d.as_deref().and_then(cached))
        .collect();
    let wanted: Vec<(usize, &LayerRef)> = image
        .layers
        .iter()
        .enumerate()
        .filter(|(i, _)| results[*i].is_none())
        .collect();
    let read = pipeline::scan_each(&wanted, set, &|(_, layer), matcher| {
        scan_layer(&context, layer, set, matcher, limits, coverage)
    });
    out.layers_reused += (image.layers.len() - wanted.len()) as u64;
    out.layers_read += wanted.len() as u64;
    for ((index, _), result) in wanted.iter().zip(read) {
        if let Some(digest) = &digests[*index] {
            out.read.push((digest.clone(), result.clone()));
        }
        results[*index] = Some(result);
    }
    let results: Vec<LayerResult> = results.into_iter().map(Option::unwrap_or_default).collect();
    for (index, result) in results.iter().enumerate() {
        for f in &result.findings {
            let mut f = f.clone();
            let file = f.props.archive_path.first();
            let replaced = file.is_some_and(|file| {
                results[index + 1..]
                    .iter()
                    .any(|later| later.changes.hides(file))
            });
            context.place_in_layer(&mut f, index, &digests[index]);
            f.props.image.in_final_image = Some(!replaced);
            out.findings.push(f);
        }
    }
}

/// The artifact path and inner levels of a document of the layout (a layer, the config).
fn layout_levels(target: &ImageTarget, name: &str) -> Vec<String> {
    match target.store {
        Store::Dir(_) => vec![format!("{}/{name}", target.display)],
        Store::Tar { .. } => vec![target.display.clone(), name.to_string()],
    }
}

impl ImageContext<'_> {
    /// Image-level properties shared by every finding of the image.
    fn base_props(&self) -> ImageProps {
        ImageProps {
            image: Some(
                self.image
                    .tags
                    .first()
                    .cloned()
                    .unwrap_or_else(|| self.target.display.clone()),
            ),
            image_tags: self.image.tags.clone(),
            image_digest: self.image.manifest_digest.clone(),
            image_id: self.image_id.clone(),
            image_source: self.facts.source.clone(),
            ..ImageProps::default()
        }
    }

    /// Attach image attribution, owner and the artifact path to a finding.
    fn attribute(&self, f: &mut Finding, mut levels: Vec<String>, image: ImageProps) {
        // A file that is itself an archive already names its inner levels after the file.
        let inner: Vec<String> = f.props.archive_path.iter().skip(1).cloned().collect();
        levels.extend(inner);
        f.location.path = levels.join(ARCHIVE_SEPARATOR);
        f.props.archive_path = levels;
        f.props.image = image;
        if let Some(owner) = &self.facts.owner {
            f.props.owner = Some(owner.clone());
            f.props.owner_source = Some(OWNER_SOURCE_LABEL.to_string());
        }
    }
}

/// Match the configuration's fields.
fn scan_config(context: &ImageContext<'_>, set: &RuleSet, coverage: &Coverage) -> Vec<Finding> {
    let mut matcher = set.matcher();
    let mut found = Vec::new();
    let levels = layout_levels(context.target, &context.image.config_path);
    for blob in &context.facts.blobs {
        let origin = Origin {
            path: levels.join(ARCHIVE_SEPARATOR),
            source: SourceKind::Image,
            store: None,
        };
        let got = pipeline::guarded(coverage, || {
            pipeline::scan_blob(
                set,
                &mut matcher,
                blob.text.as_bytes(),
                &origin,
                coverage,
                &pipeline::plain_text,
            )
        });
        for mut f in got {
            let mut image = context.base_props();
            image.in_final_image = Some(true);
            let layer = blob
                .history_index
                .and_then(|i| context.facts.layer_of_history(i));
            image.created_by = match blob.history_index {
                Some(i) => context.facts.history.get(i).cloned().flatten(),
                None => f
                    .secret
                    .as_deref()
                    .and_then(|s| context.facts.instruction_holding(s))
                    .map(str::to_string),
            };
            if let Some(index) = layer {
                image.layer_index = Some(index);
                image.layer_digest = context
                    .image
                    .layers
                    .get(index)
                    .and_then(|l| l.digest.clone());
            }
            f.props.config_key = Some(blob.key.clone());
            f.props.archive_path.clear();
            context.attribute(&mut f, levels.clone(), image);
            found.push(f);
        }
    }
    found
}

/// Read and match one layer: what it changes, and its findings with their path in the layer
/// (see [`LayerResult`]).
fn scan_layer(
    context: &ImageContext<'_>,
    layer: &LayerRef,
    set: &RuleSet,
    matcher: &mut Matcher<'_>,
    limits: ArchiveLimits,
    coverage: &Coverage,
) -> LayerResult {
    let store = &context.target.store;
    let reader = match store.open(&layer.path) {
        Ok(r) => r,
        Err(e) => {
            coverage.skip(SkipReason::Unreadable);
            coverage.note(format!("{}: {e}", context.target.display));
            return LayerResult::default();
        }
    };
    let size = store.size(&layer.path).unwrap_or(0);
    let levels = layout_levels(context.target, &layer.path);
    let mut found = Vec::new();
    let mut visit = |file: &str, bytes: &[u8]| {
        let origin = Origin {
            path: format!(
                "{}{ARCHIVE_SEPARATOR}{file}",
                levels.join(ARCHIVE_SEPARATOR)
            ),
            source: SourceKind::Image,
            store: None,
        };
        let got = pipeline::guarded(coverage, || {
            pipeline::scan_bytes(
                set,
                matcher,
                bytes,
                &origin,
                coverage,
                &crate::source::config_stores::structured_scan,
            )
        });
        for mut f in got {
            // A file that is itself an archive already names its inner levels after the file.
            let inner: Vec<String> = f.props.archive_path.iter().skip(1).cloned().collect();
            f.props.archive_path = std::iter::once(file.to_string()).chain(inner).collect();
            f.location.path = f.props.archive_path.join(ARCHIVE_SEPARATOR);
            found.push(f);
        }
    };
    let (changes, outcome) = layer::read_layer(reader, size, limits, &mut visit);
    coverage.archives(1, outcome.files);
    coverage.skip_n(SkipReason::ArchiveLimit, outcome.limit);
    coverage.skip_n(SkipReason::ArchiveCorrupt, outcome.corrupt);
    LayerResult {
        changes,
        findings: found,
    }
}

impl ImageContext<'_> {
    /// The digest a layer is known by: the manifest's, else its `rootfs.diff_ids` entry.
    fn layer_digest(&self, index: usize) -> Option<String> {
        self.image
            .layers
            .get(index)
            .and_then(|l| l.digest.clone())
            .or_else(|| self.facts_diff_id(index))
    }

    /// Attribute a finding with its path in layer `index` to this image: the artifact path
    /// and layout levels before its path in the layer, the layer and its `created_by`.
    fn place_in_layer(&self, f: &mut Finding, index: usize, digest: &Option<String>) {
        let layer = &self.image.layers[index];
        let mut image = self.base_props();
        image.layer_index = Some(index);
        image.layer_digest = digest.clone();
        image.created_by = self.facts.layer_created_by.get(index).cloned().flatten();
        let mut levels = layout_levels(self.target, &layer.path);
        levels.extend(f.props.archive_path.iter().cloned());
        f.props.archive_path = levels;
        f.location.path = f.props.archive_path.join(ARCHIVE_SEPARATOR);
        f.props.image = image;
        if let Some(owner) = &self.facts.owner {
            f.props.owner = Some(owner.clone());
            f.props.owner_source = Some(OWNER_SOURCE_LABEL.to_string());
        }
    }
}

impl ImageContext<'_> {
    /// The layer's `rootfs.diff_ids` entry (its uncompressed digest), for layouts whose
    /// manifest does not name layers by digest.
    fn facts_diff_id(&self, index: usize) -> Option<String> {
        self.facts.diff_ids.get(index).cloned()
    }
}
