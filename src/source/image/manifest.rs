//! Which images a layout holds, and each one's configuration and layers: `manifest.json` of a
//! `docker save` archive, or `index.json` of an OCI image layout (nested indexes of
//! multi-platform images included). The OCI documents are read with `oci-spec`.

use super::store::{Store, StoreError, blob_path};
use oci_spec::image::{ImageIndex, ImageManifest};
use serde::Deserialize;

/// How deep nested image indexes are followed.
const MAX_INDEX_DEPTH: usize = 4;
/// OCI annotation naming a manifest's tag or full reference.
const REF_NAME: &str = "org.opencontainers.image.ref.name";
/// containerd's annotation with the full image name.
const CONTAINERD_NAME: &str = "io.containerd.image.name";

/// One image of a layout.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageRef {
    /// Repository tags (`docker save`) or reference names (OCI annotations).
    pub tags: Vec<String>,
    /// The manifest's digest (OCI layouts only: `docker save` has no manifest digest).
    pub manifest_digest: Option<String>,
    /// Where the configuration is in the layout.
    pub config_path: String,
    /// The configuration's digest, when the layout names it.
    pub config_digest: Option<String>,
    /// Layers, base first.
    pub layers: Vec<LayerRef>,
}

/// One layer of an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerRef {
    /// Where the layer is in the layout.
    pub path: String,
    /// The layer's digest as the manifest lists it, when it does.
    pub digest: Option<String>,
}

/// A layout that is not an image, or whose documents are unreadable.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("neither a docker save archive (manifest.json) nor an OCI image layout (index.json)")]
    NotAnImage,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{name}: {message}")]
    Invalid { name: String, message: String },
}

/// One entry of a `docker save` `manifest.json`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DockerEntry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    #[serde(default)]
    layers: Vec<String>,
}

/// Whether `store` looks like an image layout at all.
pub fn is_image(store: &Store) -> bool {
    store.has("manifest.json") || (store.has("index.json") && store.has("oci-layout"))
}

/// Every image in the layout.
pub fn read_images(store: &Store) -> Result<Vec<ImageRef>, ManifestError> {
    if store.has("manifest.json") {
        return docker_images(store);
    }
    if store.has("index.json") {
        let mut images = Vec::new();
        let index = parse_index(store, "index.json")?;
        oci_images(store, &index, &[], 0, &mut images)?;
        return Ok(images);
    }
    Err(ManifestError::NotAnImage)
}

fn docker_images(store: &Store) -> Result<Vec<ImageRef>, ManifestError> {
    let bytes = store.read_json_bytes("manifest.json")?;
    let entries: Vec<DockerEntry> =
        serde_json::from_slice(&bytes).map_err(|e| invalid("manifest.json", e))?;
    Ok(entries
        .into_iter()
        .map(|e| ImageRef {
            tags: e.repo_tags.unwrap_or_default(),
            manifest_digest: None,
            config_digest: digest_of_blob_path(&e.config),
            config_path: e.config,
            layers: e
                .layers
                .into_iter()
                .map(|path| LayerRef {
                    digest: digest_of_blob_path(&path),
                    path,
                })
                .collect(),
        })
        .collect())
}

/// `sha256:<hex>` for a layout path `blobs/sha256/<hex>` (newer `docker save` archives).
fn digest_of_blob_path(path: &str) -> Option<String> {
    let rest = super::store::normalize(path);
    let mut parts = rest.strip_prefix("blobs/")?.splitn(2, '/');
    let (algorithm, hex) = (parts.next()?, parts.next()?);
    (!hex.contains('/')).then(|| format!("{algorithm}:{hex}"))
}

fn oci_images(
    store: &Store,
    index: &ImageIndex,
    names: &[String],
    depth: usize,
    out: &mut Vec<ImageRef>,
) -> Result<(), ManifestError> {
    for descriptor in index.manifests() {
        let digest = descriptor.digest().to_string();
        let media = descriptor.media_type().to_string();
        let Some(path) = blob_path(&digest) else {
            continue;
        };
        let mut tags = names.to_vec();
        if let Some(annotations) = descriptor.annotations() {
            for key in [CONTAINERD_NAME, REF_NAME] {
                if let Some(name) = annotations.get(key)
                    && !tags.contains(name)
                {
                    tags.push(name.clone());
                }
            }
        }
        if media.contains("index") || media.contains("manifest.list") {
            if depth < MAX_INDEX_DEPTH {
                let nested = parse_index(store, &path)?;
                oci_images(store, &nested, &tags, depth + 1, out)?;
            }
            continue;
        }
        if !media.contains("manifest") || !store.has(&path) {
            // Attestations and other artifacts, or platforms the layout does not carry.
            continue;
        }
        let bytes = store.read_json_bytes(&path)?;
        let manifest =
            ImageManifest::from_reader(bytes.as_slice()).map_err(|e| invalid(&path, e))?;
        let config_digest = manifest.config().digest().to_string();
        let Some(config_path) = blob_path(&config_digest) else {
            continue;
        };
        out.push(ImageRef {
            tags,
            manifest_digest: Some(digest),
            config_path,
            config_digest: Some(config_digest),
            layers: manifest
                .layers()
                .iter()
                .filter_map(|l| {
                    let digest = l.digest().to_string();
                    blob_path(&digest).map(|path| LayerRef {
                        path,
                        digest: Some(digest),
                    })
                })
                .collect(),
        });
    }
    Ok(())
}

fn parse_index(store: &Store, name: &str) -> Result<ImageIndex, ManifestError> {
    let bytes = store.read_json_bytes(name)?;
    ImageIndex::from_reader(bytes.as_slice()).map_err(|e| invalid(name, e))
}

fn invalid(name: &str, e: impl std::fmt::Display) -> ManifestError {
    ManifestError::Invalid {
        name: name.to_string(),
        message: crate::exit::one_line(&e.to_string()),
    }
}
