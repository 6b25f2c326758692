//! Opt-in live verification of secrets against their providers (`--verify`).

use crate::cli::verify::VerifyArgs;
use crate::finding::Finding;

/// Verify findings when the user asked for it; does nothing (and sends nothing) otherwise.
pub fn run(_args: &VerifyArgs, _findings: &mut [Finding]) -> anyhow::Result<()> {
    Ok(())
}
