#!/usr/bin/env python3
"""Time and memory per input shape, at growing sizes: the check that no input shape makes
keytrace super-linear (issue 13). Each shape is generated at every size in MB given on the
command line (default 1 10 100), scanned once by the release binary, and reported as seconds
per MB and peak RSS. A linear scan has a flat s/MB column; a bounded one has peak RSS at most a
small multiple of the input plus a constant.

    python3 bench/shapes.py [--bin target/release/keytrace] [--only NAME] [SIZES_MB...]

Needs GNU time (/usr/bin/time). Inputs go to a temporary directory, removed afterwards.
"""
import argparse
import json
import os
import random
import shutil
import string
import subprocess
import tempfile

ALNUM = string.ascii_letters + string.digits


def token(rng, n):
    return "".join(rng.choice(ALNUM) for _ in range(n))


def fill(unit_fn, size, sep=""):
    """Concatenate units until `size` bytes; unit_fn(i) returns one unit (str)."""
    parts, total, i = [], 0, 0
    while total < size:
        u = unit_fn(i) + sep
        parts.append(u)
        total += len(u.encode())
        i += 1
    return "".join(parts).encode()[:size]


def shapes(rng):
    keys = [token(rng, 40) for _ in range(64)]
    k = lambda i: keys[i % len(keys)]
    return {
        # Keywords of many rules and the generic detector, no newline: every hit on one line.
        "keyword-soup.txt": lambda n: fill(lambda i: "AKIA ghp_ sk- password= ", n),
        # A minified bundle: one line, assignments of key-like literals.
        "bundle.min.js": lambda n: fill(lambda i: f'var a{i}={{apiKey:"{k(i)}",t:"sk-{k(i+1)}"}};', n),
        # The generic prefilter word, repeated with no value.
        "password-eq.txt": lambda n: fill(lambda i: "password=", n),
        # Many ordinary lines of a .env file.
        "many.env": lambda n: fill(lambda i: f"SERVICE_{i}_API_KEY={k(i)}", n, "\n"),
        # Bare carriage returns (old Mac line ends) around command lines.
        "bare-cr.sh": lambda n: fill(lambda i: f"docker login -p {k(i)} a\rcurl -u u:{k(i+3)} x\r", n),
        # Invalid UTF-8 around keywords.
        "invalid-utf8.txt": lambda n: fill(lambda i: "name:PASS\u00d0val password=\u00b3x ", n).replace(b"\xc3", b"\xd0"),
    }


def structured(rng, name, n):
    """Config stores: parsed, then values located in the text."""
    keys = [token(rng, 40) for _ in range(64)]
    if name == "terraform.tfstate":
        res, size, i = [], 0, 0
        while size < n:
            r = {"type": "aws_db_instance", "name": f"db{i}", "instances": [{"attributes": {
                "id": f"db-{i}", "password": keys[i % 64], "username": "admin"}}]}
            res.append(r)
            size += 150
            i += 1
        return json.dumps({"version": 4, "resources": res}, indent=2).encode()
    if name == "notebook.ipynb":
        cells, size, i = [], 0, 0
        while size < n:
            src = [f"api_key = \"{keys[i % 64]}\"\n", "print(api_key)\n"]
            cells.append({"cell_type": "code", "metadata": {}, "source": src, "outputs": [], "execution_count": None})
            size += 160
            i += 1
        return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1).encode()
    raise KeyError(name)


def measure(binary, path):
    t = path + ".time"
    proc = subprocess.run(
        ["/usr/bin/time", "-f", "%e %M", "-o", t, binary, "scan", path, "-f", "json",
         "--max-file-size", "2G"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    wall, rss_kb = open(t).read().split()[-2:]
    try:
        findings = len(json.loads(proc.stdout)["findings"])
    except Exception:
        findings = f"exit {proc.returncode}"
    return float(wall), int(rss_kb) / 1024, findings


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/keytrace")
    ap.add_argument("--only")
    ap.add_argument("sizes", nargs="*", type=int, default=[1, 10, 100])
    a = ap.parse_args()
    rng = random.Random(13)
    gens = {name: (lambda n, g=g: g(n)) for name, g in shapes(rng).items()}
    for name in ["terraform.tfstate", "notebook.ipynb"]:
        gens[name] = lambda n, name=name: structured(rng, name, n)
    tmp = tempfile.mkdtemp(prefix="kt-shapes-")
    try:
        print(f"{'shape':<20}{'MB':>6}{'wall s':>9}{'s/MB':>8}{'peak MiB':>10}{'RSS/MB':>8}  findings")
        for name, gen in gens.items():
            if a.only and a.only not in name:
                continue
            for mb in a.sizes:
                path = os.path.join(tmp, name)
                data = gen(mb << 20)
                with open(path, "wb") as f:
                    f.write(data)
                real_mb = len(data) / (1 << 20)
                wall, rss, n = measure(a.bin, path)
                print(f"{name:<20}{real_mb:>6.0f}{wall:>9.2f}{wall / real_mb:>8.3f}{rss:>10.0f}{rss / real_mb:>8.1f}  {n}", flush=True)
                os.remove(path)
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
