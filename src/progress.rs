//! Progress bars on a TTY: blobs and bytes scanned. Hidden when stderr is not a terminal or a
//! machine-readable format is requested, so CI logs stay clean.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

/// A progress bar over `total` blobs, or a hidden one.
pub fn blobs(total: u64, enabled: bool) -> ProgressBar {
    if !enabled || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {pos}/{len} blobs {msg} [{elapsed_precise}] {wide_bar}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
