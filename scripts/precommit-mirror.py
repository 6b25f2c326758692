#!/usr/bin/env python3
"""Render the pre-commit hook repository that installs keytrace from its published wheel.

pre-commit installs a `language: python` hook by pip-installing the hook repository itself, so the
hooks in this repository build keytrace from source on first use. A second, tiny repository whose
package only depends on `keytrace==VERSION` installs the prebuilt wheel instead and starts in
seconds, with no Rust toolchain (ruff ships `ruff-pre-commit` the same way). The release workflow
renders it for each tag and pushes it to `<owner>/keytrace-pre-commit`; scripts/test-precommit.sh
renders it against a locally built wheel and runs it with the real pre-commit framework.

Usage: precommit-mirror.py VERSION OUTDIR

The hooks are the `language: python` hooks of this repository's .pre-commit-hooks.yaml, copied
block by block, so the two repositories cannot disagree about what a hook id runs.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def python_hooks(text: str) -> list[str]:
    """The `- id:` blocks of a hooks file whose language is python, verbatim."""
    blocks = re.split(r"(?m)^(?=- id: )", text)
    hooks = [b for b in blocks[1:] if re.search(r"(?m)^  language: python\s*$", b)]
    if not hooks:
        sys.exit(f"{ROOT / '.pre-commit-hooks.yaml'}: no `language: python` hook found")
    return hooks


def render(version: str, out: pathlib.Path) -> None:
    if not re.fullmatch(r"\d+\.\d+\.\d+([a-z0-9.+-]*)", version):
        sys.exit(f"precommit-mirror: {version!r} is not a release version (e.g. 1.2.3)")
    hooks = python_hooks((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    out.mkdir(parents=True, exist_ok=True)
    (out / ".pre-commit-hooks.yaml").write_text(
        "# Rendered by keytrace's scripts/precommit-mirror.py: edit .pre-commit-hooks.yaml there.\n"
        f"# Installs the keytrace {version} wheel from PyPI; no Rust toolchain, nothing compiled.\n"
        + "".join(hooks),
        encoding="utf-8",
    )
    (out / "pyproject.toml").write_text(
        f"""# Rendered by keytrace's scripts/precommit-mirror.py for keytrace {version}.
# pre-commit pip-installs this package; its only job is to pull the prebuilt keytrace wheel.
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "keytrace-pre-commit"
version = "{version}"
description = "pre-commit hooks for keytrace, installed from the prebuilt wheel"
requires-python = ">=3.8"
dependencies = ["keytrace=={version}"]

[tool.setuptools]
py-modules = []
""",
        encoding="utf-8",
    )
    (out / "README.md").write_text(
        f"""# keytrace pre-commit hooks

The [pre-commit](https://pre-commit.com) hooks of keytrace {version}, installed from the
prebuilt `keytrace` wheel on PyPI: the first run takes seconds and needs no Rust toolchain.

```yaml
repos:
  - repo: https://github.com/keytrace/keytrace-pre-commit
    rev: v{version}
    hooks:
      - id: keytrace          # the staged change (added lines)
      # - id: keytrace-files  # whole files that pre-commit passes
```

This repository is generated for each keytrace release; change the hooks in keytrace itself.
""",
        encoding="utf-8",
    )


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: precommit-mirror.py VERSION OUTDIR")
    render(sys.argv[1], pathlib.Path(sys.argv[2]))
