//! The state database schema, as an ordered list of migrations. `PRAGMA user_version` holds the
//! number of migrations applied; opening a database applies the missing ones in one
//! transaction. Never edit a released migration: append a new one.

/// Migration N (1-based) brings a database from version N-1 to N.
pub const MIGRATIONS: &[&str] = &[
    // 1: runs, repositories, scanned refs, matched blobs, per-blob raw findings, findings.
    r#"
    CREATE TABLE runs (
        id            INTEGER PRIMARY KEY,
        started_at    TEXT NOT NULL,
        finished_at   TEXT,
        ruleset_hash  TEXT NOT NULL,
        shard         TEXT,
        interrupted   INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE repos (
        id            INTEGER PRIMARY KEY,
        identity      TEXT NOT NULL UNIQUE,
        location      TEXT NOT NULL,
        -- ruleset and completeness of the last successful scan, whose refs are in `tips`
        ruleset_hash  TEXT,
        complete      INTEGER NOT NULL DEFAULT 0,
        head          TEXT,
        branch        TEXT,
        uri           TEXT,
        last_run      INTEGER REFERENCES runs(id),
        last_outcome  TEXT,
        last_error    TEXT
    );
    CREATE TABLE tips (
        repo_id       INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
        name          TEXT NOT NULL,
        commit_id     TEXT NOT NULL,
        PRIMARY KEY (repo_id, name)
    ) WITHOUT ROWID;
    -- every blob read and matched under a ruleset: never matched again under that ruleset
    CREATE TABLE matched_blobs (
        repo_id       INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
        ruleset_hash  TEXT NOT NULL,
        blob_id       TEXT NOT NULL,
        run_id        INTEGER NOT NULL REFERENCES runs(id),
        hits          INTEGER NOT NULL,
        PRIMARY KEY (repo_id, ruleset_hash, blob_id)
    ) WITHOUT ROWID;
    CREATE INDEX matched_blobs_by_run ON matched_blobs (run_id);
    -- matcher output per blob (no path, no commit, no secret), re-attributed on every walk
    CREATE TABLE blob_findings (
        repo_id       INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
        ruleset_hash  TEXT NOT NULL,
        blob_id       TEXT NOT NULL,
        seq           INTEGER NOT NULL,
        finding       TEXT NOT NULL,
        PRIMARY KEY (repo_id, ruleset_hash, blob_id, seq)
    ) WITHOUT ROWID;
    -- attributed findings (no secret), one per (fingerprint, path) of a repository
    CREATE TABLE findings (
        repo_id       INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
        fingerprint   TEXT NOT NULL,
        path          TEXT NOT NULL,
        rule_id       TEXT NOT NULL,
        secret_sha256 TEXT NOT NULL,
        status        TEXT NOT NULL,
        in_head       INTEGER,
        reachable     INTEGER NOT NULL,
        first_seen    TEXT NOT NULL,
        last_seen     TEXT NOT NULL,
        first_run     INTEGER NOT NULL REFERENCES runs(id),
        last_run      INTEGER NOT NULL REFERENCES runs(id),
        finding       TEXT NOT NULL,
        PRIMARY KEY (repo_id, fingerprint, path)
    );
    CREATE INDEX findings_by_secret ON findings (secret_sha256);
    -- what each run did to each repository
    CREATE TABLE repo_runs (
        run_id        INTEGER NOT NULL REFERENCES runs(id),
        repo_id       INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
        outcome       TEXT NOT NULL,
        error         TEXT,
        blobs_matched INTEGER NOT NULL DEFAULT 0,
        new_findings  INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (run_id, repo_id)
    ) WITHOUT ROWID;
    "#,
    // 2: the path each blob was matched under. The generic detector and config-store parsing
    // read it, so a blob matched under another path (or, before this version, under none) is
    // matched again; every repository is walked again once to find those blobs.
    r#"
    ALTER TABLE matched_blobs ADD COLUMN path TEXT;
    UPDATE repos SET complete = 0;
    "#,
    // 3: settings of the whole state, first the identity of the secret digest key. States from
    // before keyed digests hold plain SHA-256 digests that no longer match anything: their
    // findings and matcher output are dropped (every blob is matched again on the next run)
    // rather than kept as a second, "removed" copy of every finding.
    r#"
    CREATE TABLE meta (
        key           TEXT PRIMARY KEY,
        value         TEXT NOT NULL
    ) WITHOUT ROWID;
    DELETE FROM findings;
    DELETE FROM blob_findings;
    DELETE FROM matched_blobs;
    UPDATE repos SET complete = 0, ruleset_hash = NULL;
    "#,
    // 4: whether a finding's `new` status has reached a report. A run killed before its report
    // was written (SIGKILL, power loss) has committed repositories whose new findings nobody
    // saw: they stay `new` (unannounced) until a run that writes its report has recorded their
    // repository. Rows of earlier versions were reported as they were written.
    r#"
    ALTER TABLE findings ADD COLUMN announced INTEGER NOT NULL DEFAULT 1;
    "#,
    // 5: whether `--notify-webhook` has delivered a finding. New findings start unnotified and
    // are marked once a run's webhook post succeeded (or the run had no webhook); a failed post
    // leaves them for the next run. Rows of earlier versions count as notified (no flood of old
    // findings when the flag is first used).
    r#"
    ALTER TABLE findings ADD COLUMN notified INTEGER NOT NULL DEFAULT 1;
    "#,
    // 6: whether a report has shown a finding's move to `removed-from-head` ("fixed since the
    // last run"). Set to 0 when a run moves it there, to 1 once a run that recorded its
    // repository has written its reports, so a killed run's fixes are shown by the next run.
    // Rows of earlier versions count as shown.
    r#"
    ALTER TABLE findings ADD COLUMN fixed_shown INTEGER NOT NULL DEFAULT 1;
    "#,
    // 7: container image layers already matched, by ruleset hash and layer digest (content
    // addressed, so shared by every image of the state that has the layer): what the layer
    // changes (whiteouts) and its findings with their path inside the layer, both as JSON, never
    // with secrets. An image of `--image-list` reads only the layers missing here.
    r#"
    CREATE TABLE image_layers (
        ruleset_hash  TEXT NOT NULL,
        digest        TEXT NOT NULL,
        run_id        INTEGER NOT NULL REFERENCES runs(id),
        result        TEXT NOT NULL,
        PRIMARY KEY (ruleset_hash, digest)
    ) WITHOUT ROWID;
    "#,
];

/// The schema version this build writes.
pub fn current_version() -> i64 {
    MIGRATIONS.len() as i64
}
