#!/usr/bin/env python3
"""Install keytrace for the GitHub Action (issue 15): the release binary when one matches,
else a build from the action's own sources.

Portable on purpose: python3 is on every GitHub runner (Linux, macOS, Windows), so the install
needs neither bash nor curl nor tar. Standard library only.

  action-install.py release   Download keytrace-<version>-<target>.{tar.gz,zip} and its .sha256
                              from the GitHub release of <version>, verify the SHA-256, extract
                              the binary into --dest/bin and put that on GITHUB_PATH. When no
                              release matches (no version, a branch or commit ref, a runner with
                              no prebuilt target, an HTTP 404), installs nothing and says
                              `source=build`: the caller then runs `build`.
  action-install.py build     `cargo install --locked --path <source> --root <dest>` (skipped
                              when the cache restored the binary), then GITHUB_PATH.
  action-install.py target    Print the release target for --os/--arch (RUNNER_OS/RUNNER_ARCH).

Outputs (to GITHUB_OUTPUT when set, always to stdout as key=value): source (release|build),
version, target, bin. Errors are one line on stderr, `keytrace-install: error: ...`, exit 1.
"""

import argparse
import hashlib
import io
import os
import platform
import re
import shutil
import stat
import subprocess
import sys
import tarfile
import urllib.error
import urllib.request
import zipfile

DEFAULT_BASE_URL = "https://github.com/keytrace/keytrace/releases/download"

# (RUNNER_OS, RUNNER_ARCH) -> Rust target of the release archive.
TARGETS = {
    ("Linux", "X64"): "x86_64-unknown-linux-musl",
    ("Linux", "ARM64"): "aarch64-unknown-linux-musl",
    ("macOS", "X64"): "x86_64-apple-darwin",
    ("macOS", "ARM64"): "aarch64-apple-darwin",
    ("Windows", "X64"): "x86_64-pc-windows-msvc",
}

# A release version: what follows the `v` of a tag such as v1.2.3 or v1.2.3-rc.1.
VERSION_RE = re.compile(r"^v?([0-9]+\.[0-9]+\.[0-9]+(?:[-+][0-9A-Za-z.-]+)?)$")


class InstallError(Exception):
    """A failure reported to the user as one line."""


def host_os():
    """RUNNER_OS naming of the machine running this script."""
    name = platform.system()
    return {"Linux": "Linux", "Darwin": "macOS", "Windows": "Windows"}.get(name, name)


def host_arch():
    """RUNNER_ARCH naming of the machine running this script."""
    machine = platform.machine().lower()
    if machine in ("x86_64", "amd64"):
        return "X64"
    if machine in ("aarch64", "arm64"):
        return "ARM64"
    return machine.upper()


def target_for(os_name, arch):
    """The release target for a runner, or None when no prebuilt binary exists for it."""
    return TARGETS.get((os_name, arch))


def archive_name(version, target):
    """File name of the release archive for `version` (no leading v) and `target`."""
    ext = "zip" if "windows" in target else "tar.gz"
    return "keytrace-%s-%s.%s" % (version, target, ext)


def binary_name(target):
    return "keytrace.exe" if "windows" in target else "keytrace"


def resolve_version(requested, action_ref):
    """The release version to install: the `version` input when given, else the action's own
    ref when it is a release tag (v1.2.3); None when neither names a release (a branch, a
    commit id, a major tag such as v1, or a local `uses: ./`)."""
    requested = requested.strip()
    if requested:
        m = VERSION_RE.match(requested)
        if not m:
            raise InstallError(
                "version %r is not a release version (expected e.g. 1.2.3 or v1.2.3)" % requested
            )
        return m.group(1)
    ref = action_ref.strip()
    if ref.startswith("refs/tags/"):
        ref = ref[len("refs/tags/"):]
    m = VERSION_RE.match(ref)
    # A tag needs its `v`: a bare 1.2.3 ref is more likely a branch than a release.
    return m.group(1) if m and ref.startswith("v") else None


def fetch(url, timeout=60):
    """The body at `url`, or None on HTTP 404. Other failures raise InstallError."""
    req = urllib.request.Request(url, headers={"User-Agent": "keytrace-action-install"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.read()
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return None
        raise InstallError("downloading %s failed: HTTP %d" % (url, e.code))
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise InstallError("downloading %s failed: %s" % (url, reason))


def expected_digest(text, name):
    """The SHA-256 a `.sha256` file (sha256sum format: `<hex>  <name>`) gives for `name`."""
    for line in text.splitlines():
        parts = line.strip().split()
        if not parts:
            continue
        digest = parts[0].lower()
        listed = parts[1].lstrip("*") if len(parts) > 1 else name
        if listed == name and re.fullmatch(r"[0-9a-f]{64}", digest):
            return digest
    raise InstallError("%s.sha256 holds no SHA-256 for %s" % (name, name))


def extract_binary(data, name, target, dest_bin):
    """Write the archive's keytrace binary (only that member, wherever it sits in the archive)
    to dest_bin; never extracts other paths, so a hostile archive cannot write elsewhere."""
    wanted = binary_name(target)
    payload = None
    if name.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for info in z.infolist():
                if not info.is_dir() and info.filename.replace("\\", "/").split("/")[-1] == wanted:
                    payload = z.read(info)
                    break
    else:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as t:
            for member in t:
                if member.isfile() and member.name.split("/")[-1] == wanted:
                    payload = t.extractfile(member).read()
                    break
    if payload is None:
        raise InstallError("%s holds no %s" % (name, wanted))
    os.makedirs(os.path.dirname(dest_bin), exist_ok=True)
    tmp = dest_bin + ".part"
    with open(tmp, "wb") as f:
        f.write(payload)
    os.chmod(tmp, os.stat(tmp).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    os.replace(tmp, dest_bin)


def emit(outputs):
    """Print outputs as key=value and append them to GITHUB_OUTPUT when the runner set it."""
    lines = "".join("%s=%s\n" % (k, v) for k, v in outputs.items())
    sys.stdout.write(lines)
    path = os.environ.get("GITHUB_OUTPUT")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(lines)


def add_to_path(directory):
    path = os.environ.get("GITHUB_PATH")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(directory + "\n")


def cmd_release(args):
    target = target_for(args.os, args.arch)
    version = resolve_version(args.version, args.action_ref)
    base = args.base_url.rstrip("/")
    if version is None:
        why = "no release version (input `version` empty, action ref %r is not a tag v*)" % (
            args.action_ref or ""
        )
    elif target is None:
        why = "no prebuilt binary for %s/%s" % (args.os, args.arch)
    else:
        name = archive_name(version, target)
        url = "%s/v%s/%s" % (base, version, name)
        data = fetch(url)
        if data is None:
            why = "no release archive at %s (HTTP 404)" % url
        else:
            sums = fetch(url + ".sha256")
            if sums is None:
                raise InstallError("%s has no checksum file %s.sha256; refusing to install" % (name, name))
            want = expected_digest(sums.decode("utf-8", "replace"), name)
            got = hashlib.sha256(data).hexdigest()
            if got != want:
                raise InstallError(
                    "checksum mismatch for %s: expected sha256 %s, got %s; refusing to install"
                    % (name, want, got)
                )
            bin_dir = os.path.join(args.dest, "bin")
            bin_path = os.path.join(bin_dir, binary_name(target))
            if not args.dry_run:
                extract_binary(data, name, target, bin_path)
                add_to_path(bin_dir)
            print("keytrace-install: verified %s (sha256 %s)" % (name, got), file=sys.stderr)
            emit({"source": "release", "version": version, "target": target, "bin": bin_path})
            return 0
    print("keytrace-install: %s; building from source instead" % why, file=sys.stderr)
    emit({"source": "build", "version": version or "", "target": target or "", "bin": ""})
    return 0


def cmd_build(args):
    bin_dir = os.path.join(args.dest, "bin")
    bin_path = os.path.join(bin_dir, "keytrace.exe" if args.os == "Windows" else "keytrace")
    cached = os.environ.get("KEYTRACE_CACHE_HIT") == "true" and os.path.isfile(bin_path)
    cmd = ["cargo", "install", "--locked", "--path", args.source, "--root", args.dest]
    if cached:
        print("keytrace-install: using the cached build at %s" % bin_path, file=sys.stderr)
    elif args.dry_run:
        print("keytrace-install: would run: %s" % " ".join(cmd), file=sys.stderr)
    else:
        if shutil.which("cargo") is None:
            raise InstallError(
                "no release matches and cargo is not installed: set input `version` to a release"
            )
        code = subprocess.call(cmd)
        if code != 0:
            raise InstallError("cargo install failed (exit %d)" % code)
    if not args.dry_run:
        add_to_path(bin_dir)
    emit({"source": "build", "bin": bin_path})
    return 0


def cmd_target(args):
    target = target_for(args.os, args.arch)
    if target is None:
        raise InstallError("no prebuilt binary for %s/%s" % (args.os, args.arch))
    print(target)
    return 0


def parse(argv):
    env = os.environ
    p = argparse.ArgumentParser(prog="action-install.py", description=__doc__.split("\n")[0])
    p.add_argument("command", choices=["release", "build", "target"])
    p.add_argument("--os", default=env.get("RUNNER_OS") or host_os())
    p.add_argument("--arch", default=env.get("RUNNER_ARCH") or host_arch())
    p.add_argument("--version", default=env.get("INPUT_VERSION", ""))
    p.add_argument("--action-ref", default=env.get("KEYTRACE_ACTION_REF", ""))
    p.add_argument(
        "--base-url", default=env.get("KEYTRACE_RELEASE_BASE_URL") or DEFAULT_BASE_URL
    )
    p.add_argument("--dest", default=os.path.join(os.path.expanduser("~"), ".keytrace"))
    p.add_argument(
        "--source",
        default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        help="the keytrace sources to build from (default: this script's repository)",
    )
    p.add_argument("--dry-run", action="store_true", help="decide and say, change nothing")
    return p.parse_args(argv)


def main(argv=None):
    args = parse(sys.argv[1:] if argv is None else argv)
    try:
        return {"release": cmd_release, "build": cmd_build, "target": cmd_target}[args.command](args)
    except InstallError as e:
        print("keytrace-install: error: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
