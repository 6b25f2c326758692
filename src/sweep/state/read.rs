//! Reading the state: what a scan worker needs before it scans a repository, and the stored
//! findings a report shows.

use super::{StateError, sql_err};
use crate::finding::Finding;
use crate::sweep::status::FindingStatus;
use git2::Oid;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What the last successful scan of a repository left behind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prior {
    /// (ref name, commit) of the refs scanned last time, sorted by name.
    pub tips: Vec<(String, String)>,
    /// Ruleset hash of that scan.
    pub ruleset_hash: Option<String>,
    /// Whether that scan read every blob it wanted (no missing objects or size skips).
    pub complete: bool,
}

/// A read-only connection for a scan worker.
pub struct Reader {
    conn: Connection,
    path: PathBuf,
}

impl Reader {
    /// Open the database (which `State::open` has created and migrated) for reading.
    pub fn open(path: &Path) -> Result<Reader, StateError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sql_err(path))?;
        conn.busy_timeout(std::time::Duration::from_secs(60))
            .map_err(sql_err(path))?;
        Ok(Reader {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// The last successful scan of `identity` (default when never scanned).
    pub fn prior(&self, identity: &str) -> Result<Prior, StateError> {
        let err = sql_err(&self.path);
        let row: Option<(i64, Option<String>, bool)> = self
            .conn
            .query_row(
                "SELECT id, ruleset_hash, complete FROM repos WHERE identity = ?1",
                [identity],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(&err)?;
        let Some((id, ruleset_hash, complete)) = row else {
            return Ok(Prior::default());
        };
        let mut stmt = self
            .conn
            .prepare("SELECT name, commit_id FROM tips WHERE repo_id = ?1 ORDER BY name")
            .map_err(&err)?;
        let tips = stmt
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(&err)?
            .collect::<Result<Vec<(String, String)>, _>>()
            .map_err(&err)?;
        Ok(Prior {
            tips,
            ruleset_hash,
            complete,
        })
    }

    /// Blobs of `identity` already matched under `ruleset_hash`, with the path each was
    /// matched under (blobs matched before paths were recorded are left out: they are matched
    /// again).
    pub fn matched_blobs(
        &self,
        identity: &str,
        ruleset_hash: &str,
    ) -> Result<HashMap<Oid, String>, StateError> {
        let err = sql_err(&self.path);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT m.blob_id, m.path FROM matched_blobs m JOIN repos r ON r.id = m.repo_id
                 WHERE r.identity = ?1 AND m.ruleset_hash = ?2 AND m.path IS NOT NULL",
            )
            .map_err(&err)?;
        let rows = stmt
            .query_map(params![identity, ruleset_hash], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(&err)?;
        let mut out = HashMap::new();
        for row in rows {
            let (id, path) = row.map_err(&err)?;
            out.insert(self.oid(&id)?, path);
        }
        Ok(out)
    }

    /// The matcher's stored output for blobs of `identity` under `ruleset_hash`.
    pub fn blob_findings(
        &self,
        identity: &str,
        ruleset_hash: &str,
    ) -> Result<Vec<(Oid, Finding)>, StateError> {
        let err = sql_err(&self.path);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT b.blob_id, b.finding FROM blob_findings b JOIN repos r ON r.id = b.repo_id
                 WHERE r.identity = ?1 AND b.ruleset_hash = ?2 ORDER BY b.blob_id, b.seq",
            )
            .map_err(&err)?;
        let rows = stmt
            .query_map(params![identity, ruleset_hash], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(&err)?;
        let mut out = Vec::new();
        for row in rows {
            let (blob, json) = row.map_err(&err)?;
            out.push((self.oid(&blob)?, parse_finding(&self.path, &json)?));
        }
        Ok(out)
    }

    /// What an earlier run stored for the image layer `digest` under `ruleset_hash`.
    pub fn image_layer(
        &self,
        ruleset_hash: &str,
        digest: &str,
    ) -> Result<Option<crate::source::image::LayerResult>, StateError> {
        let json: Option<String> = self
            .conn
            .query_row(
                "SELECT result FROM image_layers WHERE ruleset_hash = ?1 AND digest = ?2",
                params![ruleset_hash, digest],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql_err(&self.path))?;
        json.map(|j| {
            serde_json::from_str(&j).map_err(|e| StateError::Corrupt {
                path: self.path.display().to_string(),
                what: "image layer",
                message: e.to_string(),
            })
        })
        .transpose()
    }

    fn oid(&self, hex: &str) -> Result<Oid, StateError> {
        Oid::from_str(hex).map_err(|e| StateError::Corrupt {
            path: self.path.display().to_string(),
            what: "blob id",
            message: e.to_string(),
        })
    }
}

pub(super) fn parse_finding(path: &Path, json: &str) -> Result<Finding, StateError> {
    serde_json::from_str(json).map_err(|e| StateError::Corrupt {
        path: path.display().to_string(),
        what: "finding",
        message: e.to_string(),
    })
}

/// Every stored finding of repository `repo_id`, with its status and sighting dates set.
pub(super) fn repo_findings(
    conn: &Connection,
    path: &Path,
    repo_id: i64,
) -> Result<Vec<Finding>, StateError> {
    let err = sql_err(path);
    let mut stmt = conn
        .prepare(
            "SELECT finding, status, first_seen, last_seen, in_head, fixed_shown FROM findings
             WHERE repo_id = ?1 ORDER BY path, fingerprint",
        )
        .map_err(&err)?;
    let rows = stmt
        .query_map([repo_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<bool>>(4)?,
                r.get::<_, bool>(5)?,
            ))
        })
        .map_err(&err)?;
    let mut out = Vec::new();
    for row in rows {
        let (json, status, first, last, in_head, fixed_shown) = row.map_err(&err)?;
        let mut f = parse_finding(path, &json)?;
        let status = FindingStatus::parse(&status).ok_or_else(|| StateError::Corrupt {
            path: path.display().to_string(),
            what: "status",
            message: status.clone(),
        })?;
        f.props.status = Some(status.as_str().to_string());
        f.props.first_seen = Some(first);
        f.props.last_seen = Some(last);
        f.props.in_head = in_head;
        f.props.fixed_since_last_run = status == FindingStatus::RemovedFromHead && !fixed_shown;
        out.push(f);
    }
    Ok(out)
}

/// Id of a repository row, if it exists.
pub(super) fn repo_id(conn: &Connection, identity: &str) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT id FROM repos WHERE identity = ?1",
        [identity],
        |r| r.get(0),
    )
    .optional()
}
