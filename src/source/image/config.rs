//! An image's configuration as blobs to match: `Env`, `Cmd`, `Entrypoint`, `Labels` and each
//! `history[].created_by` (build arguments and `ENV` lines end up there), one small text blob
//! per field so that each finding names the field (`config_key`) and a line within it. Also
//! what the labels say about ownership.

use oci_spec::image::ImageConfiguration;

/// Label naming the image's authors (OCI).
pub const LABEL_AUTHORS: &str = "org.opencontainers.image.authors";
/// Label naming the image's maintainer (the `MAINTAINER` convention).
pub const LABEL_MAINTAINER: &str = "maintainer";
/// Label naming the repository the image was built from (OCI).
pub const LABEL_SOURCE: &str = "org.opencontainers.image.source";

/// One field of the configuration, as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigBlob {
    /// `Env`, `Cmd`, `Entrypoint`, `Labels`, or `history[N].created_by`.
    pub key: String,
    /// One line per item (`KEY=value` for `Env` and `Labels`).
    pub text: String,
    /// For a history entry: its index in `history`.
    pub history_index: Option<usize>,
}

/// What a configuration says, ready to match and to attribute.
#[derive(Debug, Clone, Default)]
pub struct ConfigFacts {
    pub blobs: Vec<ConfigBlob>,
    /// `created_by` of each history entry that made a layer, base layer first.
    pub layer_created_by: Vec<Option<String>>,
    /// Every history entry's `created_by`, in order.
    pub history: Vec<Option<String>>,
    /// Whether each history entry made no layer (`empty_layer`), in order.
    pub history_empty: Vec<bool>,
    /// `rootfs.diff_ids`: each layer's uncompressed digest, base first.
    pub diff_ids: Vec<String>,
    /// Authors or maintainer, from the labels (or the legacy `author` field).
    pub owner: Option<String>,
    /// The source repository, from the labels.
    pub source: Option<String>,
}

/// Parse a configuration document; `None` when it is not one.
pub fn parse(bytes: &[u8]) -> Option<ConfigFacts> {
    let config = ImageConfiguration::from_reader(bytes).ok()?;
    Some(facts(&config))
}

fn facts(config: &ImageConfiguration) -> ConfigFacts {
    let mut out = ConfigFacts::default();
    if let Some(c) = config.config() {
        let lines = |items: &Option<Vec<String>>| items.as_ref().map(|v| v.join("\n"));
        if let Some(text) = lines(c.env()) {
            out.blobs.push(blob("Env", text, None));
        }
        if let Some(args) = c.cmd() {
            out.blobs.push(blob("Cmd", args.join(" "), None));
        }
        if let Some(args) = c.entrypoint() {
            out.blobs.push(blob("Entrypoint", args.join(" "), None));
        }
        if let Some(labels) = c.labels() {
            let mut pairs: Vec<_> = labels.iter().collect();
            pairs.sort();
            let text: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
            out.blobs.push(blob("Labels", text.join("\n"), None));
            out.owner = [LABEL_AUTHORS, LABEL_MAINTAINER]
                .iter()
                .find_map(|k| labels.get(*k).filter(|v| !v.trim().is_empty()).cloned());
            out.source = labels
                .get(LABEL_SOURCE)
                .filter(|v| !v.trim().is_empty())
                .cloned();
        }
    }
    out.diff_ids = config.rootfs().diff_ids().clone();
    if out.owner.is_none() {
        out.owner = config.author().clone().filter(|a| !a.trim().is_empty());
    }
    for (i, h) in config.history().iter().flatten().enumerate() {
        let created_by = h.created_by().clone();
        if let Some(text) = &created_by {
            out.blobs.push(blob(
                &format!("history[{i}].created_by"),
                text.clone(),
                Some(i),
            ));
        }
        if h.empty_layer() != Some(true) {
            out.layer_created_by.push(created_by.clone());
        }
        out.history.push(created_by);
        out.history_empty.push(h.empty_layer() == Some(true));
    }
    out
}

fn blob(key: &str, text: String, history_index: Option<usize>) -> ConfigBlob {
    ConfigBlob {
        key: key.to_string(),
        text,
        history_index,
    }
}

impl ConfigFacts {
    /// The layer a history entry made (its index among non-empty entries), if it made one.
    pub fn layer_of_history(&self, history_index: usize) -> Option<usize> {
        let empty = &self.history_empty;
        if empty.get(history_index).copied().unwrap_or(true) {
            return None;
        }
        Some(empty[..history_index].iter().filter(|e| !**e).count())
    }

    /// The first build instruction whose text holds `secret`: where a configuration value (an
    /// `ENV` or `LABEL`) was introduced.
    pub fn instruction_holding(&self, secret: &str) -> Option<&str> {
        if secret.is_empty() {
            return None;
        }
        self.history
            .iter()
            .flatten()
            .find(|c| c.contains(secret))
            .map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_history_and_owner_labels_are_read() {
        let doc = br#"{"architecture":"amd64","os":"linux",
            "config":{"Env":["PATH=/bin","TOKEN=abc"],"Cmd":["run","--fast"],
              "Labels":{"maintainer":"ops@example.com","org.opencontainers.image.source":"https://git.example/app"}},
            "rootfs":{"type":"layers","diff_ids":["sha256:aa","sha256:bb"]},
            "history":[{"created_by":"ADD base /"},{"created_by":"ENV TOKEN=abc","empty_layer":true},{"created_by":"COPY .env /app/"}]}"#;
        let facts = parse(doc).unwrap();
        let keys: Vec<&str> = facts.blobs.iter().map(|b| b.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "Env",
                "Cmd",
                "Labels",
                "history[0].created_by",
                "history[1].created_by",
                "history[2].created_by"
            ]
        );
        assert_eq!(facts.blobs[0].text, "PATH=/bin\nTOKEN=abc");
        assert_eq!(facts.owner.as_deref(), Some("ops@example.com"));
        assert_eq!(facts.source.as_deref(), Some("https://git.example/app"));
        assert_eq!(
            facts.layer_created_by,
            [
                Some("ADD base /".to_string()),
                Some("COPY .env /app/".to_string())
            ]
        );
        assert_eq!(facts.layer_of_history(2), Some(1));
        assert_eq!(facts.layer_of_history(1), None);
        assert_eq!(facts.instruction_holding("abc"), Some("ENV TOKEN=abc"));
        assert!(parse(b"{}").is_none());
    }
}
