//! `keytrace install-hook`: a plain `.git/hooks/pre-commit` for people without the pre-commit
//! framework. It refuses to replace a hook it did not write unless `--force` is given.

use crate::exit::ExitStatus;
use anyhow::Context;
use std::path::Path;

/// Marker line identifying hooks written by keytrace.
pub const HOOK_MARKER: &str = "# installed by `keytrace install-hook`";

/// The hook script: scans the staged change, with the repository's baseline when it has one.
pub fn hook_script(binary: &str) -> String {
    format!(
        r#"#!/bin/sh
{HOOK_MARKER}
# Blocks commits that add secrets. Bypass once with `git commit --no-verify`.
KEYTRACE="${{KEYTRACE:-{binary}}}"
command -v "$KEYTRACE" >/dev/null 2>&1 || KEYTRACE=keytrace
top=$(git rev-parse --show-toplevel) || exit 1
if [ -f "$top/.keytrace-baseline.json" ]; then
  exec "$KEYTRACE" scan --staged --no-progress --baseline "$top/.keytrace-baseline.json" "$top"
fi
exec "$KEYTRACE" scan --staged --no-progress "$top"
"#
    )
}

pub fn install(repo_path: &Path, force: bool) -> anyhow::Result<ExitStatus> {
    let repo = crate::source::git::repo::discover(repo_path)
        .with_context(|| format!("{}: not inside a git repository", repo_path.display()))?;
    let hooks = repo.path().join("hooks");
    std::fs::create_dir_all(&hooks)
        .with_context(|| format!("{}: cannot create", hooks.display()))?;
    let hook = hooks.join("pre-commit");
    if let Ok(existing) = std::fs::read_to_string(&hook)
        && !existing.contains(HOOK_MARKER)
        && !force
    {
        anyhow::bail!(
            "{}: a pre-commit hook not written by keytrace exists; use --force to replace it",
            hook.display()
        );
    }
    let binary = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "keytrace".into());
    std::fs::write(&hook, hook_script(&binary))
        .with_context(|| format!("{}: cannot write", hook.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755))?;
    }
    eprintln!("keytrace: pre-commit hook installed at {}", hook.display());
    Ok(ExitStatus::Clean)
}
