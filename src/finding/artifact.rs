//! Properties of a finding inside a container image: which image, which layer, and the
//! instruction that built that layer (the image's equivalent of the introducing commit).

use serde::{Deserialize, Serialize};

/// Image attribution of a finding; every field is absent when unknown (DESIGN.md: flat keys,
/// flattened into the finding's properties).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageProps {
    /// The image as the user named it, or its first repository tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Every repository tag the image carries (`docker save` manifest, OCI ref-name annotation).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub image_tags: Vec<String>,
    /// The image manifest's digest, where the image has one (OCI layouts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_digest: Option<String>,
    /// The image id: the digest of its configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_id: Option<String>,
    /// The layer holding the file (its digest as the manifest lists it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer_digest: Option<String>,
    /// The layer's position, 0 for the base layer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer_index: Option<usize>,
    /// The build instruction that made the layer or the configuration entry (`history[].created_by`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// Whether the file as this layer wrote it is what the final image holds: false when a
    /// later layer deleted (whiteout) or replaced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_final_image: Option<bool>,
    /// The source repository the image names (`org.opencontainers.image.source`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_source: Option<String>,
}

impl ImageProps {
    pub fn is_empty(&self) -> bool {
        *self == ImageProps::default()
    }
}
