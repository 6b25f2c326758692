//! A sweep killed with SIGKILL at varied points and run again loses no completed repository and
//! reports nothing twice: after any number of killed runs, the first run that finishes reports
//! exactly what an uninterrupted run reports (same findings, same statuses), its state holds the
//! same findings and matched blobs, and across every report written each finding is `new` once.
//!
//! The repository list ends with a clone URL served by a loopback "git server" that stalls, so a
//! killed run can never have finished on its own: every kill lands mid-run, after at least the
//! number of repositories the test waited for (and possibly inside a later one's transaction).

use super::common::{Fixture, acme_rules, acme_token, findings, git_in};
use rusqlite::{Connection, OpenFlags};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const REPOS: u32 = 6;

fn commit(dir: &Path, files: &[(&str, Option<String>)], day: u32) {
    for (name, text) in files {
        let path = dir.join(name);
        match text {
            Some(text) => {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, text).unwrap();
            }
            None => std::fs::remove_file(path).unwrap(),
        }
    }
    let date = format!("2024-03-{day:02}T09:00:00Z");
    let (name, mail) = ("Carol", "carol@example.com");
    git_in(dir, &["add", "-A"], name, mail, &date);
    git_in(dir, &["commit", "-q", "-m", "change"], name, mail, &date);
}

/// Repository `i`: a key in HEAD and, for even `i`, a second key committed then deleted.
fn make_repo(dir: &Path, i: u32) {
    std::fs::create_dir_all(dir).unwrap();
    git_in(
        dir,
        &["init", "-q", "-b", "main"],
        "Carol",
        "carol@example.com",
        "2024-03-01T00:00:00Z",
    );
    let key = format!("ACME_KEY={}\n", acme_token(100 + i));
    commit(dir, &[("config.env", Some(key))], 1);
    if i % 2 == 0 {
        let old = format!("token: {}\n", acme_token(200 + i));
        commit(dir, &[("deploy/old.yml", Some(old))], 2);
        commit(dir, &[("deploy/old.yml", None)], 3);
    }
}

/// A loopback HTTP "git server" that answers nothing until `release` is set, then 500.
fn stalling_server(release: Arc<AtomicBool>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let release = Arc::clone(&release);
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line.trim() != "" {
                    line.clear();
                }
                while !release.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(20));
                }
                let _ = write!(
                    stream,
                    "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
            });
        }
    });
    base
}

struct Sweep {
    dir: PathBuf,
    rules: String,
}

impl Sweep {
    fn spawn(&self, state: &str, out: &str) -> Child {
        Command::new(assert_cmd::cargo::cargo_bin("keytrace"))
            .args(["sweep", "--repo-list", "repos.txt", "--state", state])
            .args(["--jobs", "1", "--clone-jobs", "1", "--no-progress"])
            .args(["--rules", &self.rules, "--format", "json", "-o", out])
            .current_dir(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    }

    /// A run to its end: its JSON report.
    fn complete(&self, state: &str, out: &str) -> Value {
        let status = self.spawn(state, out).wait().unwrap();
        // 2: the stalled URL, released, fails; the run is otherwise whole.
        assert_eq!(status.code(), Some(2), "{state}");
        let text = std::fs::read_to_string(self.dir.join(out)).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    /// A run killed with SIGKILL once `ready` holds for its state database. Returns how many
    /// repositories that run had committed when it died.
    fn killed(&self, state: &str, out: &str, ready: impl Fn(&Connection) -> bool) -> i64 {
        let db = self.dir.join(state);
        let mut child = self.spawn(state, out);
        let deadline = Instant::now() + Duration::from_secs(300);
        loop {
            if let Some(conn) = open(&db)
                && ready(&conn)
            {
                break;
            }
            assert!(
                child.try_wait().unwrap().is_none(),
                "the sweep ended before it was killed"
            );
            assert!(Instant::now() < deadline, "the sweep never got there");
            std::thread::sleep(Duration::from_millis(5));
        }
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), None, "killed by a signal");
        assert!(
            !self.dir.join(out).exists(),
            "a killed run wrote no report (it cannot have finished)"
        );
        count(&db, LAST_RUN_REPOS)
    }
}

const LAST_RUN_REPOS: &str =
    "SELECT count(*) FROM repo_runs WHERE run_id = (SELECT max(id) FROM runs)";

fn open(db: &Path) -> Option<Connection> {
    Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).ok()
}

/// A count, or 0 while the database or its tables do not exist yet.
fn count_in(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap_or(0)
}

fn count(db: &Path, sql: &str) -> i64 {
    open(db).map_or(0, |c| count_in(&c, sql))
}

/// (repository, path, rule, fingerprint) → status of every finding of a report.
fn report_findings(report: &Value) -> BTreeMap<(String, String, String, String), String> {
    findings(report)
        .iter()
        .map(|f| {
            let repo = f["repository"].as_str().unwrap();
            let repo = Path::new(repo).file_name().unwrap().to_string_lossy();
            let key = (
                repo.into_owned(),
                f["location"]["path"].as_str().unwrap().to_string(),
                f["rule_id"].as_str().unwrap().to_string(),
                f["fingerprint"].as_str().unwrap().to_string(),
            );
            (key, f["status"].as_str().unwrap().to_string())
        })
        .collect()
}

/// What the state holds per repository (by directory name): findings with status, and matched
/// blobs with their paths.
fn state_rows(db: &Path) -> BTreeSet<String> {
    let conn = open(db).unwrap();
    let mut rows = BTreeSet::new();
    for sql in [
        "SELECT r.identity || ' finding ' || f.fingerprint || ' ' || f.path || ' ' || f.rule_id
                || ' ' || f.status || ' ' || f.reachable
         FROM findings f JOIN repos r ON r.id = f.repo_id",
        "SELECT r.identity || ' blob ' || m.blob_id || ' ' || m.path || ' ' || m.hits
         FROM matched_blobs m JOIN repos r ON r.id = m.repo_id",
        "SELECT r.identity || ' tip ' || t.name || ' ' || t.commit_id
         FROM tips t JOIN repos r ON r.id = t.repo_id",
    ] {
        let mut stmt = conn.prepare(sql).unwrap();
        for row in stmt.query_map([], |r| r.get::<_, String>(0)).unwrap() {
            rows.insert(row.unwrap());
        }
    }
    rows
}

#[test]
fn a_sweep_killed_at_varied_points_and_rerun_reports_what_an_uninterrupted_run_does() {
    let fx = Fixture::new();
    let release = Arc::new(AtomicBool::new(false));
    let base = stalling_server(Arc::clone(&release));
    let mut list = String::new();
    for i in 0..REPOS {
        let dir = fx.path().join(format!("repos/r{i}"));
        make_repo(&dir, i);
        list.push_str(&format!("{}\n", dir.display()));
    }
    // Identities sort local paths (`/...`) before `127.0.0.1:...`: the stall comes last.
    list.push_str(&format!("{base}/stalled.git\n"));
    fx.write("repos.txt", list);
    let sweep = Sweep {
        dir: fx.path().to_path_buf(),
        rules: acme_rules(&fx),
    };

    // Three runs killed on one state: as soon as the first run is recorded (before or while
    // it commits anything), after at least two repositories, after at least five.
    let mut committed = Vec::new();
    committed.push(sweep.killed("crash.db", "k1.json", |c| {
        count_in(c, "SELECT count(*) FROM runs") >= 1
    }));
    committed.push(sweep.killed("crash.db", "k2.json", |c| {
        count_in(c, "SELECT count(*) FROM runs") >= 2 && count_in(c, LAST_RUN_REPOS) >= 2
    }));
    committed.push(sweep.killed("crash.db", "k3.json", |c| {
        count_in(c, "SELECT count(*) FROM runs") >= 3 && count_in(c, LAST_RUN_REPOS) >= 5
    }));
    assert!(committed[2] >= 5, "{committed:?}");
    let crash_db = fx.path().join("crash.db");
    assert!(
        count(
            &crash_db,
            "SELECT count(*) FROM findings WHERE status = 'new'"
        ) > 0,
        "the killed runs committed findings"
    );

    // The stalled clone now fails fast; the rerun finishes, and so does a run on a new state.
    release.store(true, Ordering::SeqCst);
    let rerun = sweep.complete("crash.db", "rerun.json");
    let clean = sweep.complete("clean.db", "clean.json");
    let expected = report_findings(&clean);
    assert_eq!(expected.len(), (REPOS + REPOS / 2) as usize, "{clean:#}");
    assert!(expected.values().all(|s| s == "new"), "{expected:#?}");
    assert_eq!(
        report_findings(&rerun),
        expected,
        "killed runs: {committed:?}"
    );
    assert_eq!(rerun["sweep"]["totals"]["new_findings"], expected.len());
    assert_eq!(
        state_rows(&crash_db),
        state_rows(&fx.path().join("clean.db"))
    );

    // Next night: one key added, one deleted. Both states report the same, and over every
    // report of the killed-and-rerun state each finding was `new` exactly once.
    commit(
        &fx.path().join("repos/r1"),
        &[("extra.env", Some(format!("ACME={}\n", acme_token(300))))],
        10,
    );
    commit(&fx.path().join("repos/r3"), &[("config.env", None)], 10);
    let rerun2 = sweep.complete("crash.db", "rerun2.json");
    let clean2 = sweep.complete("clean.db", "clean2.json");
    let expected2 = report_findings(&clean2);
    assert_eq!(report_findings(&rerun2), expected2);
    let newly: Vec<_> = expected2.iter().filter(|(_, s)| *s == "new").collect();
    assert_eq!(newly.len(), 1, "{expected2:#?}");
    assert!(expected2.values().any(|s| s == "removed-from-head"));
    let mut times_new: BTreeMap<_, usize> = BTreeMap::new();
    for report in [&rerun, &rerun2] {
        for (key, status) in report_findings(report) {
            *times_new.entry(key).or_default() += usize::from(status == "new");
        }
    }
    assert!(times_new.values().all(|&n| n == 1), "{times_new:#?}");
    assert_eq!(
        state_rows(&crash_db),
        state_rows(&fx.path().join("clean.db"))
    );
}
