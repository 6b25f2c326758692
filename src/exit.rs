//! The one exit policy: 0 nothing to report, 1 findings reported, 2 usage or runtime error.

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Nothing to report.
    Clean,
    /// Findings that fail the run (the code is configurable with `--exit-code`).
    Findings(u8),
    /// Usage or runtime error.
    Error,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Clean => 0,
            ExitStatus::Findings(code) => code,
            ExitStatus::Error => 2,
        }
    }
}
