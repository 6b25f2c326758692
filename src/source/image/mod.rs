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
use layer::LayerChanges;
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
    let images = manifest::read_images(&target.store).map_err(|source| ImageError::Manifest {
        target: target.display.clone(),
        source,
    })?;
    let mut found = Vec::new();
    for image in &images {
        found.extend(scan_image(target, image, set, limits, coverage));
    }
    Ok(found)
}

/// What every finding of one image shares.
struct ImageContext<'a> {
    target: &'a ImageTarget,
    image: &'a ImageRef,
    facts: ConfigFacts,
    /// The configuration's digest: as the layout names it, else computed from its bytes.
    image_id: Option<String>,
}

fn scan_image(
    target: &ImageTarget,
    image: &ImageRef,
    set: &RuleSet,
    limits: ArchiveLimits,
    coverage: &Coverage,
) -> Vec<Finding> {
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
    let mut found = scan_config(&context, set, coverage);
    let indexed: Vec<(usize, &LayerRef)> = image.layers.iter().enumerate().collect();
    let per_layer = pipeline::scan_each(&indexed, set, &|(index, layer), matcher| {
        scan_layer(&context, *index, layer, set, matcher, limits, coverage)
    });
    let changes: Vec<&LayerChanges> = per_layer.iter().map(|(c, _)| c).collect();
    for (index, (_, findings)) in per_layer.iter().enumerate() {
        for f in findings {
            let mut f = f.clone();
            let file = f.props.archive_path.get(file_level(target));
            let replaced =
                file.is_some_and(|file| changes[index + 1..].iter().any(|c| c.hides(file)));
            f.props.image.in_final_image = Some(!replaced);
            found.push(f);
        }
    }
    found
}

/// Where the file inside a layer sits in a layer finding's `archive_path`.
fn file_level(target: &ImageTarget) -> usize {
    match target.store {
        Store::Dir(_) => 1,
        Store::Tar { .. } => 2,
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

/// Read and match one layer; returns what it changes and its findings.
fn scan_layer(
    context: &ImageContext<'_>,
    index: usize,
    layer: &LayerRef,
    set: &RuleSet,
    matcher: &mut Matcher<'_>,
    limits: ArchiveLimits,
    coverage: &Coverage,
) -> (LayerChanges, Vec<Finding>) {
    let store = &context.target.store;
    let reader = match store.open(&layer.path) {
        Ok(r) => r,
        Err(e) => {
            coverage.skip(SkipReason::Unreadable);
            coverage.note(format!("{}: {e}", context.target.display));
            return (LayerChanges::default(), Vec::new());
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
            let mut image = context.base_props();
            image.layer_index = Some(index);
            image.layer_digest = layer
                .digest
                .clone()
                .or_else(|| context.facts_diff_id(index));
            image.created_by = context.facts.layer_created_by.get(index).cloned().flatten();
            let mut file_levels = levels.clone();
            file_levels.push(file.to_string());
            context.attribute(&mut f, file_levels, image);
            found.push(f);
        }
    };
    let (changes, outcome) = layer::read_layer(reader, size, limits, &mut visit);
    coverage.archives(1, outcome.files);
    coverage.skip_n(SkipReason::ArchiveLimit, outcome.limit);
    coverage.skip_n(SkipReason::ArchiveCorrupt, outcome.corrupt);
    (changes, found)
}

impl ImageContext<'_> {
    /// The layer's `rootfs.diff_ids` entry (its uncompressed digest), for layouts whose
    /// manifest does not name layers by digest.
    fn facts_diff_id(&self, index: usize) -> Option<String> {
        self.facts.diff_ids.get(index).cloned()
    }
}
