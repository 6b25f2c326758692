//! Repository-level concurrency of a sweep, kept apart from blob-level concurrency (which stays
//! in `pipeline`): `clone_jobs` workers prepare repositories (clone or fetch), at most `jobs`
//! workers scan prepared ones, and the calling thread collects results one at a time (so the
//! state database has a single writer and commits one repository per transaction).
//!
//! A bounded hand-off between the stages keeps clones from racing far ahead of scans, and the
//! number of repositories whose history index and findings are in memory at once is bounded by
//! `jobs` plus that hand-off. When `stop` is set (Ctrl-C) no new repository is started;
//! repositories already in a worker finish and are collected normally.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

/// Concurrency bounds.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// Repositories scanned at once.
    pub jobs: usize,
    /// Clones or fetches at once.
    pub clone_jobs: usize,
}

/// The result of one repository: prepared and scanned, or failed at either stage.
pub type Outcome<S> = Result<S, String>;

/// Run `prepare` then `scan` over every item, and hand each result to `collect` on the calling
/// thread, in completion order. Items never started because of `stop` are not collected.
pub fn run<T, P, S>(
    items: Vec<T>,
    bounds: Bounds,
    stop: &AtomicBool,
    prepare: impl Fn(&T) -> Result<P, String> + Sync,
    scan: impl Fn(&T, P) -> Result<S, String> + Sync,
    mut collect: impl FnMut(T, Outcome<S>),
) where
    T: Send,
    P: Send,
    S: Send,
{
    let jobs = bounds.jobs.max(1);
    let clone_jobs = bounds.clone_jobs.max(1);
    let queue = Mutex::new(items.into_iter().collect::<VecDeque<T>>());
    let (ready_tx, ready_rx) = mpsc::sync_channel::<(T, Result<P, String>)>(jobs);
    let ready_rx = Arc::new(Mutex::new(ready_rx));
    let (done_tx, done_rx) = mpsc::channel::<(T, Outcome<S>)>();
    std::thread::scope(|scope| {
        for _ in 0..clone_jobs {
            let ready_tx = ready_tx.clone();
            let (queue, prepare) = (&queue, &prepare);
            scope.spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    let Some(item) = queue.lock().expect("queue").pop_front() else {
                        break;
                    };
                    let prepared = prepare(&item);
                    if ready_tx.send((item, prepared)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(ready_tx);
        for _ in 0..jobs {
            let (ready_rx, done_tx, scan) = (Arc::clone(&ready_rx), done_tx.clone(), &scan);
            scope.spawn(move || {
                loop {
                    let next = ready_rx.lock().expect("hand-off").recv();
                    let Ok((item, prepared)) = next else { break };
                    let outcome = prepared.and_then(|p| scan(&item, p));
                    if done_tx.send((item, outcome)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        for (item, outcome) in done_rx {
            collect(item, outcome);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    #[test]
    fn every_item_is_collected_once_with_bounded_concurrency() {
        let scanning = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let mut got = Vec::new();
        run(
            (0..24).collect(),
            Bounds {
                jobs: 3,
                clone_jobs: 2,
            },
            &stop,
            |i: &u32| {
                if *i == 5 {
                    Err("clone failed".into())
                } else {
                    Ok(*i * 10)
                }
            },
            |_, p| {
                let now = scanning.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(5));
                scanning.fetch_sub(1, Ordering::SeqCst);
                Ok(p + 1)
            },
            |i, o| got.push((i, o)),
        );
        got.sort_by_key(|(i, _)| *i);
        assert_eq!(got.len(), 24);
        assert_eq!(got[5].1, Err("clone failed".to_string()));
        assert_eq!(got[7].1, Ok(71));
        let peak = peak.load(Ordering::SeqCst);
        assert!((1..=3).contains(&peak), "peak {peak}");
    }

    #[test]
    fn stop_starts_nothing_new_but_finishes_what_started() {
        let stop = AtomicBool::new(false);
        let mut got = Vec::new();
        run(
            (0..50).collect(),
            Bounds {
                jobs: 1,
                clone_jobs: 1,
            },
            &stop,
            |i: &u32| {
                if *i == 2 {
                    stop.store(true, Ordering::SeqCst);
                }
                Ok(*i)
            },
            |_, p| Ok(p),
            |i, o: Outcome<u32>| got.push((i, o)),
        );
        let ids: Vec<u32> = got.iter().map(|(i, _)| *i).collect();
        assert_eq!(ids, vec![0, 1, 2]);
    }
}
