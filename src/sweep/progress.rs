//! The sweep's progress line on a TTY: repositories done of total, and running totals of
//! blobs, bytes and findings. Hidden when stderr is not a terminal or progress is disabled.

use indicatif::{HumanBytes, ProgressBar, ProgressStyle};
use std::io::IsTerminal;

/// Progress over `total` repositories.
pub struct SweepProgress {
    bar: ProgressBar,
    blobs: u64,
    bytes: u64,
    findings: usize,
}

impl SweepProgress {
    pub fn new(total: u64, enabled: bool) -> SweepProgress {
        let bar = if enabled && std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {pos}/{len} repositories {msg} [{elapsed_precise}] {wide_bar}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(200));
            bar
        } else {
            ProgressBar::hidden()
        };
        SweepProgress {
            bar,
            blobs: 0,
            bytes: 0,
            findings: 0,
        }
    }

    /// One repository done.
    pub fn repo_done(&mut self, blobs: u64, bytes: u64, findings: usize) {
        self.blobs += blobs;
        self.bytes += bytes;
        self.findings += findings;
        self.bar.set_message(format!(
            "· {} blobs · {} · {} findings",
            self.blobs,
            HumanBytes(self.bytes),
            self.findings
        ));
        self.bar.inc(1);
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
