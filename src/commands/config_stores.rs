//! `scan --config-stores` and `scan etcd://…`: the sources that are not a directory or a
//! repository, feeding the same structured scan and pipeline.

use crate::blob::Origin;
use crate::coverage::Coverage;
use crate::finding::{Finding, SourceKind};
use crate::matcher::RuleSet;
use crate::pipeline;
use crate::source::config_stores::{gcloud_db, home, structured_scan};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Scan the known store files of the user whose home is `home_flag` (default `$HOME`).
pub fn scan_home(
    home_flag: Option<&Path>,
    max_file_size: u64,
    set: &RuleSet,
    coverage: &Coverage,
) -> anyhow::Result<Vec<Finding>> {
    let (home, xdg) = match home_flag {
        Some(h) => (h.to_path_buf(), None),
        None => {
            let home = std::env::var_os(crate::env_vars::HOME)
                .map(PathBuf::from)
                .ok_or_else(|| anyhow::anyhow!("$HOME is not set; pass --home DIR"))?;
            let xdg = std::env::var_os(crate::env_vars::XDG_CONFIG_HOME).map(PathBuf::from);
            (home, xdg)
        }
    };
    if !home.is_dir() {
        anyhow::bail!("{}: no such home directory", home.display());
    }
    let found = home::find_stores(&home, xdg.as_deref());
    let listed: Vec<String> = found
        .iter()
        .map(|f| format!("{} ({})", display(&home, &f.path), f.store))
        .collect();
    eprintln!(
        "keytrace: config stores found: {}",
        if listed.is_empty() {
            "none".to_string()
        } else {
            listed.join(", ")
        }
    );
    let findings = found
        .par_iter()
        .map_init(
            || set.matcher(),
            |matcher, f| {
                if gcloud_db::is_gcloud_db(&f.path) {
                    return gcloud_db::scan(
                        &f.path,
                        &display(&home, &f.path),
                        set,
                        matcher,
                        coverage,
                    );
                }
                let Some(bytes) = read(&f.path, max_file_size, coverage) else {
                    return Vec::new();
                };
                let origin = Origin {
                    path: display(&home, &f.path),
                    source: SourceKind::ConfigStore,
                    store: None,
                };
                pipeline::scan_bytes(set, matcher, &bytes, &origin, coverage, &structured_scan)
            },
        )
        .flatten()
        .collect();
    Ok(findings)
}

/// `~/rel` for a path under the home directory.
fn display(home: &Path, path: &Path) -> String {
    match path.strip_prefix(home) {
        Ok(rel) => format!("~/{}", rel.display()),
        Err(_) => path.display().to_string(),
    }
}

fn read(path: &Path, max: u64, coverage: &Coverage) -> Option<Vec<u8>> {
    use crate::coverage::SkipReason;
    match std::fs::metadata(path) {
        Ok(m) if m.len() > max => {
            coverage.skip(SkipReason::TooLarge);
            None
        }
        Ok(_) => std::fs::read(path)
            .map_err(|_| coverage.skip(SkipReason::Unreadable))
            .ok(),
        Err(_) => {
            coverage.skip(SkipReason::Unreadable);
            None
        }
    }
}

/// True when any target is an etcd address.
pub fn has_etcd_target(targets: &[String]) -> bool {
    targets
        .iter()
        .any(|t| crate::source::etcd::Target::parse(t).is_some())
}

/// Scan every key of every `etcd://` target: each value is one blob with `source: etcd`.
pub fn scan_etcd(
    targets: &[String],
    stores: &crate::cli::stores::StoreArgs,
    max_file_size: u64,
    set: &RuleSet,
    coverage: &Coverage,
) -> anyhow::Result<Vec<Finding>> {
    use crate::source::etcd::{Client, EtcdError, Target};
    let user = match (&stores.etcd_user, &stores.etcd_password) {
        (Some(u), Some(p)) => Some((u.as_str(), p.as_str())),
        _ => None,
    };
    let mut blobs: Vec<(String, Vec<u8>)> = Vec::new();
    for t in targets {
        let target = Target::parse(t).ok_or_else(|| EtcdError::BadAddress(t.clone()))??;
        let client = Client::connect(&target, user, stores.etcd_ca.as_deref())?;
        client.for_each(&target.prefix, |key, value| {
            if value.len() as u64 > max_file_size {
                coverage.skip(crate::coverage::SkipReason::TooLarge);
            } else {
                let value = crate::source::etcd::textify_kubernetes_protobuf(value);
                blobs.push((target.key_path(&key), value));
            }
        })?;
    }
    let findings = blobs
        .par_iter()
        .map_init(
            || set.matcher(),
            |matcher, (path, bytes)| {
                let origin = Origin {
                    path: path.clone(),
                    source: SourceKind::Etcd,
                    store: None,
                };
                pipeline::scan_bytes(set, matcher, bytes, &origin, coverage, &structured_scan)
            },
        )
        .flatten()
        .collect();
    Ok(findings)
}
