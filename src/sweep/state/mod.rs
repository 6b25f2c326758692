//! The sweep's memory between runs: an embedded SQLite database (`--state FILE`).
//!
//! Per repository it holds the refs last scanned, every blob already matched under each ruleset
//! hash (so a second run reads no blob again, and a changed rule matches everything again), the
//! matcher's per-blob output (so old blobs' findings are re-attributed without being re-read),
//! and every finding with first/last sighting and status. Secrets are never stored: findings are
//! written without their clear text.
//!
//! One writer (`State`, owned by the sweep's collector thread) commits one transaction per
//! repository, so a crash or Ctrl-C loses at most the repositories in flight. Scan workers read
//! through their own `Reader`s; WAL mode lets them read while the writer commits.

mod read;
pub mod schema;
mod write;

pub use read::{Prior, Reader};
pub use write::{MatchedBlob, RepoWrite};

use rusqlite::{Connection, OptionalExtension};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A state database that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("{path}: state database: {message}")]
    Sql { path: String, message: String },
    #[error(
        "{path}: state database has schema version {found}, newer than this keytrace ({supported}); upgrade keytrace"
    )]
    TooNew {
        path: String,
        found: i64,
        supported: i64,
    },
    #[error(
        "{path}: state database was written with another secret digest key; run with the same KEYTRACE_HASH_KEY (and KEYTRACE_HASH), or start a new state file"
    )]
    DigestKeyChanged { path: String },
    #[error("{path}: state database: bad stored {what}: {message}")]
    Corrupt {
        path: String,
        what: &'static str,
        message: String,
    },
}

/// The current run, as recorded in the database.
#[derive(Debug, Clone)]
pub struct RunCtx {
    pub id: i64,
    /// RFC 3339 UTC start time: the first/last-seen date of findings seen in this run.
    pub date: String,
    pub ruleset_hash: String,
}

/// The writer's connection.
pub struct State {
    conn: Connection,
    path: PathBuf,
}

fn sql_err(path: &Path) -> impl Fn(rusqlite::Error) -> StateError + '_ {
    move |e| StateError::Sql {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

fn configure(conn: &Connection, path: &Path) -> Result<(), StateError> {
    conn.busy_timeout(Duration::from_secs(60))
        .map_err(sql_err(path))?;
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
        .map_err(sql_err(path))?;
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")
        .map_err(sql_err(path))
}

impl State {
    /// Open (creating if needed) and migrate the database at `path`.
    pub fn open(path: &Path) -> Result<State, StateError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StateError::Sql {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
        }
        let mut conn = Connection::open(path).map_err(sql_err(path))?;
        configure(&conn, path)?;
        migrate(&mut conn, path)?;
        Ok(State {
            conn,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Record the start of a run.
    pub fn begin_run(
        &mut self,
        ruleset_hash: &str,
        shard: Option<&str>,
    ) -> Result<RunCtx, StateError> {
        self.check_digest_key()?;
        let date = now();
        self.conn
            .execute(
                "INSERT INTO runs (started_at, ruleset_hash, shard) VALUES (?1, ?2, ?3)",
                rusqlite::params![date, ruleset_hash, shard],
            )
            .map_err(sql_err(&self.path))?;
        Ok(RunCtx {
            id: self.conn.last_insert_rowid(),
            date,
            ruleset_hash: ruleset_hash.to_string(),
        })
    }

    /// The state's findings are keyed by secret digests, which depend on the digest key: a run
    /// with another key would see every finding as new and every stored one as removed. The
    /// first run records the key's identity (a digest of a constant, not the key); a later run
    /// with another key is refused.
    fn check_digest_key(&mut self) -> Result<(), StateError> {
        let id = crate::finding::digest::secret_digest(b"keytrace/state-digest-key");
        let stored: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'digest_key_id'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql_err(&self.path))?;
        match stored {
            Some(stored) if stored == id => Ok(()),
            Some(_) => Err(StateError::DigestKeyChanged {
                path: self.path.display().to_string(),
            }),
            None => self
                .conn
                .execute(
                    "INSERT INTO meta (key, value) VALUES ('digest_key_id', ?1)",
                    [id],
                )
                .map(|_| ())
                .map_err(sql_err(&self.path)),
        }
    }

    /// Record the end of a run, once its reports are written: the findings of every repository
    /// the run recorded have now been shown, so their `new` status is announced (the next run
    /// ages it to `present`) and their moves to `removed-from-head` count as shown. Then fold the write-ahead log back into the database file, so the
    /// file alone can be cached or shipped between CI runs. A run killed before this leaves its
    /// new findings unannounced: the next run that finishes reports them as `new`.
    ///
    /// `notified`: the run's webhook delivered its notice (or the run had none), so the
    /// unnotified findings of the recorded repositories are marked notified; `false` leaves them
    /// for the next run.
    pub fn finish_run(
        &mut self,
        run: &RunCtx,
        finished_at: &str,
        interrupted: bool,
        notified: bool,
    ) -> Result<(), StateError> {
        let err = sql_err(&self.path);
        let tx = self.conn.transaction().map_err(&err)?;
        tx.execute(
            "UPDATE runs SET finished_at = ?1, interrupted = ?2 WHERE id = ?3",
            rusqlite::params![finished_at, interrupted, run.id],
        )
        .map_err(&err)?;
        tx.execute(
            "UPDATE findings SET announced = 1 WHERE announced = 0
             AND repo_id IN (SELECT repo_id FROM repo_runs WHERE run_id = ?1)",
            [run.id],
        )
        .map_err(&err)?;
        tx.execute(
            "UPDATE findings SET fixed_shown = 1 WHERE fixed_shown = 0
             AND repo_id IN (SELECT repo_id FROM repo_runs WHERE run_id = ?1)",
            [run.id],
        )
        .map_err(&err)?;
        if notified {
            tx.execute(
                "UPDATE findings SET notified = 1 WHERE notified = 0
                 AND repo_id IN (SELECT repo_id FROM repo_runs WHERE run_id = ?1)",
                [run.id],
            )
            .map_err(&err)?;
        }
        tx.commit().map_err(&err)?;
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(&err)?;
        Ok(())
    }
}

impl State {
    /// (repository identity, secret fingerprint, path) of every finding no webhook notice has
    /// carried yet.
    pub fn unnotified(
        &self,
    ) -> Result<std::collections::HashSet<(String, String, String)>, StateError> {
        let err = sql_err(&self.path);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT r.identity, f.fingerprint, f.path FROM findings f
                 JOIN repos r ON r.id = f.repo_id WHERE f.notified = 0",
            )
            .map_err(&err)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(&err)?;
        rows.collect::<Result<_, _>>().map_err(&err)
    }
}

/// The current time as the state records it (RFC 3339 UTC, seconds).
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Apply every migration the database lacks, in one transaction.
fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StateError> {
    let found: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(sql_err(path))?;
    let supported = schema::current_version();
    if found > supported {
        return Err(StateError::TooNew {
            path: path.display().to_string(),
            found,
            supported,
        });
    }
    if found == supported {
        return Ok(());
    }
    let tx = conn.transaction().map_err(sql_err(path))?;
    for sql in &schema::MIGRATIONS[found as usize..] {
        tx.execute_batch(sql).map_err(sql_err(path))?;
    }
    tx.pragma_update(None, "user_version", supported)
        .map_err(sql_err(path))?;
    tx.commit().map_err(sql_err(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_migrates_and_refuses_newer_schemas() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/state.db");
        let mut s = State::open(&path).unwrap();
        let v: i64 = s
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, schema::current_version());
        let run = s.begin_run("h", Some("0/2")).unwrap();
        s.finish_run(&run, &now(), false, true).unwrap();
        drop(s);
        // Reopening an up-to-date database keeps its data.
        let s = State::open(&path).unwrap();
        let runs: i64 = s
            .conn
            .query_row("SELECT count(*) FROM runs", [], |r| r.get(0))
            .unwrap();
        assert_eq!(runs, 1);
        s.conn
            .pragma_update(None, "user_version", schema::current_version() + 1)
            .unwrap();
        drop(s);
        let err = State::open(&path).err().unwrap().to_string();
        assert!(err.contains("newer than this keytrace"), "{err}");
    }

    #[test]
    fn blobs_matched_before_paths_were_recorded_are_matched_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(schema::MIGRATIONS[0]).unwrap();
        conn.execute_batch(
            "PRAGMA user_version = 1;
             INSERT INTO runs (id, started_at, ruleset_hash) VALUES (1, 'd', 'h');
             INSERT INTO repos (id, identity, location, ruleset_hash, complete)
                 VALUES (1, 'r', 'r', 'h', 1);
             INSERT INTO matched_blobs (repo_id, ruleset_hash, blob_id, run_id, hits)
                 VALUES (1, 'h', '0123456789012345678901234567890123456789', 1, 0);",
        )
        .unwrap();
        drop(conn);
        drop(State::open(&path).unwrap());
        let reader = Reader::open(&path).unwrap();
        // Walked again (not "unchanged"), and the old blob is not taken as matched.
        assert!(!reader.prior("r").unwrap().complete);
        assert!(reader.matched_blobs("r", "h").unwrap().is_empty());
    }
}
