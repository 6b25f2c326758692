#!/usr/bin/env python3
"""Regenerate the seed corpora in fuzz/corpus/<target>/ from the repository's own material:
rule files and their examples (rules/*.toml), the generic detector's case table
(tests/data/generic_cases.toml), the README's keytrace.toml examples, git patches made in a
scratch repository, and small hand-written store files built around rule example secrets.

Seeds never hold a known crash: libFuzzer stops at the first crashing seed. Reproducers live
in fuzz/regressions/ instead.

Run from anywhere: `python3 fuzz/make_seeds.py`. Deterministic (no randomness, no clock), so
rerunning it only changes the corpus when its inputs change. Each target stays small (at most
~50 files, ~200 KB). Inputs of targets that read leading selector bytes are laid out as the
targets expect (see fuzz/src/lib.rs and each target's doc comment).
"""

import base64
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import tomllib
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
ROOT = FUZZ.parent
CORPUS = FUZZ / "corpus"
MAX_FILES = 50
MAX_BYTES = 200_000


def names(file):
    lines = (FUZZ / file).read_text().splitlines()
    return [l.strip() for l in lines if l.strip() and not l.strip().startswith("#")]


FILE_NAMES = names("file_names.txt")
STORE_PATHS = names("store_paths.txt")


def rule_files():
    return sorted(p for p in (ROOT / "rules").glob("*.toml"))


def rules():
    out = []
    for p in rule_files():
        for r in tomllib.loads(p.read_text())["rules"]:
            r["_file"] = p.name
            out.append(r)
    return out


RULES = rules()


def python_pattern(pattern):
    """The few Rust regex spellings the rules use that Python's re spells differently."""
    pattern = pattern.replace(r"\z", r"\Z")
    pattern = re.sub(r"\(\?([a-zA-Z]*)-u\)", lambda m: f"(?{m.group(1)})" if m.group(1) else "", pattern)
    return re.sub(r"\(\?([a-zA-Z]*)-u:", lambda m: f"(?{m.group(1)}:" if m.group(1) else "(?:", pattern)


def secret_span(rule, example):
    """Span of the `secret` group in `example` (Python's re reads the rule patterns once
    translated), else the whole example."""
    try:
        m = re.search(python_pattern(rule["pattern"]), example)
    except re.error:
        m = None
    if m and m.group("secret") is not None:
        return m.span("secret")
    return (0, len(example))


def example_secret(rule_id, index=0):
    rule = next(r for r in RULES if r["id"] == rule_id)
    ex = rule["examples"][index]
    a, b = secret_span(rule, ex)
    return ex[a:b]


class Corpus:
    def __init__(self, target):
        self.dir = CORPUS / target
        self.files = {}

    def add(self, data):
        if isinstance(data, str):
            data = data.encode()
        name = hashlib.sha1(data).hexdigest()[:16]
        self.files[name] = data

    def write(self):
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True)
        total = 0
        for i, (name, data) in enumerate(sorted(self.files.items())):
            if i >= MAX_FILES or total + len(data) > MAX_BYTES:
                break
            (self.dir / name).write_bytes(data)
            total += len(data)
        print(f"{self.dir.relative_to(FUZZ)}: {min(len(self.files), MAX_FILES)} files, {total} bytes")


def name_byte(name):
    return bytes([FILE_NAMES.index(name)])


def store_byte(path):
    return bytes([STORE_PATHS.index(path)])


# ---------------------------------------------------------------------------------------------
# rules_toml: whole rule files, smallest first, plus broken shapes.


def seeds_rules_toml():
    c = Corpus("rules_toml")
    for p in sorted(rule_files(), key=lambda p: (p.stat().st_size, p.name))[:40]:
        c.add(p.read_bytes())
    c.add(
        "[[rules]]\nid = \"x-key\"\nname = \"x\"\nprovider = \"x\"\ncategory = \"generic\"\n"
        "keywords = [\"xk_\"]\npattern = '''(?P<secret>xk_[a-z0-9]{8})'''\nlong_lived = true\n"
        "severity = \"low\"\ndescription = \"d\"\nremediation = \"r\"\n"
        "examples = [\"xk_abcdefgh\"]\nnegative_examples = [\"xk_\"]\n"
    )
    c.add("[[rules]]\nid = \"Bad Id\"\n")
    c.add("[[rules]]\nid = \"a\"\nkeywords = []\npattern = \"(\"\n")
    c.write()


# ---------------------------------------------------------------------------------------------
# config_toml and owners_file: README's keytrace.toml examples and variants.


def readme_toml_blocks():
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```toml\n(.*?)```", text, re.S)


CONFIG_VARIANTS = [
    '[allowlist]\npaths = ["**/*.md"]\n',
    '[allowlist]\nsecrets = ["^AKIA[0-9A-Z]{16}$", "(?i)example"]\nstopwords = ["dummy"]\n',
    '[[allowlist.rule]]\nid = "generic-*"\npaths = ["tests/**"]\nsecrets = ["x+"]\n'
    'stopwords = ["fake"]\n',
    '[[policy]]\nname = "p"\nmatch = { provider = ["aws", "gcp"], source = "git-history" }\n'
    'fail = true\n',
    '[[policy]]\nname = "sev"\nmatch = { min_severity = "high", max_severity = "critical", '
    'path = ["a/**", "b/*.py"] }\nseverity = "medium"\n',
    "default_policy = false\n",
    '[owners]\n[[owners.rule]]\nmatch = { rule = "aws-*" }\nowners = ["@org/iam"]\n',
    '[allowlist]\npaths = ["[a-"]\n',
    '[allowlist]\nsecrets = ["(unclosed"]\n',
    "[allowlist\n",
]

OWNERS_VARIANTS = [
    '[[owners.rule]]\nmatch = { path = "**/secrets/*.env" }\nowners = ["sec@example.com"]\n',
    '[[owners.rule]]\nmatch = { rule = "{aws,gcp}-*", provider = "a?s" }\nowners = ["@o/t"]\n',
    '[[owners.rule]]\nmatch = { path = "src/[a-c]*/\\\\*.rs" }\nowners = ["@x"]\n',
    '[[owners.rule]]\nmatch = { path = "[!a]/**" }\nowners = ["@x", "@y"]\n',
    "[[owners.rule]]\nmatch = {}\nowners = [\"@x\"]\n",
    '[[owners.rule]]\nmatch = { path = "a" }\nowners = []\n',
    '[[owners.rule]]\nmatch = { path = "[" }\nowners = ["@x"]\n',
    '[owners]\nrule = [{ match = { provider = "openai" }, owners = ["@ml"] }]\n',
]


def seeds_config_toml():
    c = Corpus("config_toml")
    for block in readme_toml_blocks():
        c.add(block)
    for v in CONFIG_VARIANTS:
        c.add(v)
    c.write()


def seeds_owners_file():
    c = Corpus("owners_file")
    for block in readme_toml_blocks():
        if "owners" in block:
            c.add(block.replace("[[owners.rule]]", "[[owners.rule]]"))
    for v in OWNERS_VARIANTS:
        c.add(v if v.startswith("[owners]") else v)
    c.write()


# ---------------------------------------------------------------------------------------------
# codeowners


CODEOWNERS = [
    "# comment\n* @org/everyone\n*.js @js-owner\n/docs/ docs@example.com\n",
    "/build/logs/ @doctocat\ndocs/* @docs\napps/ @octocat\n/apps/github @doctocat\n"
    "/apps/ @octocat\n/apps/github\n**/logs @logs\n",
    "[Documentation] @docs-team\ndocs/\nREADME.md\n\n^[Optional][2] @a @b\n*.go\n",
    "path\\ with\\ spaces/ @owner\n\\#notacomment @x\n",
    "!negated @x\n[abc].txt @y\nsrc/**/test_*.py @tests # trailing comment\n",
    "* not-an-owner\n*.rb @ruby @org/ruby-team user@example.com\n",
    "\r\n*\t@tab\r\n/a/b/c/ @crlf\r\n",
    "[Section with spaces][3] @team\n/x/\n",
    "*.md\n",
    "/**/deep/**/*.yml @deep\n?/x @q\n",
]


def seeds_codeowners():
    c = Corpus("codeowners")
    for text in CODEOWNERS:
        c.add(text)
        c.add(text + "\0src/main.rs\ndocs/x.md\napps/github/a.rb\n")
    c.write()


# ---------------------------------------------------------------------------------------------
# baseline


def seeds_baseline():
    c = Corpus("baseline")
    entry = lambda i: {
        "fingerprint": hashlib.sha256(str(i).encode()).hexdigest()[:32],
        "rule_id": "aws-access-key-id",
        "path": f"src/f{i}.py",
    }
    c.add(json.dumps({"version": 1, "findings": []}))
    c.add(json.dumps({"version": 1, "findings": [entry(i) for i in range(3)]}, indent=2))
    c.add(json.dumps({"version": 2, "findings": []}))
    c.add(json.dumps({"version": 1, "findings": [dict(entry(0), extra=1)]}))
    c.add('{"version": 1, "findings": [{"fingerprint": "x"}]}')
    c.add('{"version": 1,\n "findings": [\n')
    c.write()


# ---------------------------------------------------------------------------------------------
# config_stores, notebook: hand-written store files around rule example secrets.


def store_files():
    ghp = example_secret("github-classic-pat")
    oai = example_secret("openai-project-api-key")
    akia = example_secret("aws-access-key-id")
    aws_secret = example_secret("aws-secret-access-key")
    npm = example_secret("npm-access-token")
    pypi = example_secret("pypi-api-token")
    slack = example_secret("slack-bot-token")
    auth = base64.b64encode(b"bob:Sup3r-s3cret-pw").decode()
    mcp = {
        "mcpServers": {
            "github": {
                "command": "npx",
                "args": ["-y", "@modelcontextprotocol/server-github", "--token", ghp],
                "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": ghp},
            },
            "remote": {
                "url": f"https://mcp.example.com/sse?key={oai}",
                "headers": {"Authorization": f"Bearer {oai}"},
            },
        }
    }
    kube = (
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://k\n"
        "users:\n- name: u\n  user:\n    token: " + slack + "\n"
        "    client-key-data: " + base64.b64encode(b"-----BEGIN RSA PRIVATE KEY-----\nMIIE\n").decode()
        + "\n"
    )
    k8s = (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ntype: Opaque\ndata:\n  token: "
        + base64.b64encode(ghp.encode()).decode()
        + "\nstringData:\n  OPENAI_API_KEY: "
        + oai
        + "\n---\napiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n"
        "      containers:\n      - env:\n        - name: DB_PASSWORD\n          valueFrom:\n"
        "            secretKeyRef: {name: db, key: pw}\n        - name: API_KEY\n"
        "          value: " + oai + "\n"
    )
    tfstate = {
        "version": 4,
        "resources": [
            {
                "type": "aws_iam_access_key",
                "instances": [{"attributes": {"id": akia, "secret": aws_secret, "password": "Xq9!vLr2#pT"}}],
            }
        ],
    }
    files = {
        "home/.cursor/mcp.json": json.dumps(mcp, indent=2),
        "home/.vscode/mcp.json": json.dumps({"servers": mcp["mcpServers"], "inputs": []}),
        "home/.mcp.json": json.dumps(mcp),
        "home/claude_desktop_config.json": json.dumps(mcp, indent=1),
        "home/.claude.json": json.dumps({"projects": {"/p": mcp}}),
        "home/.codex/config.toml": f'model = "o3"\n[mcp_servers.github]\ncommand = "npx"\n'
        f'args = ["-y", "server"]\nenv = {{ GITHUB_TOKEN = "{ghp}" }}\n',
        "home/.codex/auth.json": json.dumps({"OPENAI_API_KEY": oai, "tokens": None}),
        "home/.gemini/settings.json": json.dumps(mcp),
        "home/zed/settings.json": json.dumps(
            {"context_servers": {"gh": {"command": {"path": "npx", "env": {"TOKEN": ghp}}}}}
        ),
        "home/.aider.conf.yml": f"model: gpt-4o\nopenai-api-key: {oai}\nset-env:\n  - GH={ghp}\n",
        "home/.aws/credentials": f"[default]\naws_access_key_id = {akia}\n"
        f"aws_secret_access_key = {aws_secret}\n\n[prod]\naws_session_token=abc\n",
        "home/.aws/config": "[profile x]\nregion = eu-west-1\ncredential_process = /bin/x\n",
        "home/.docker/config.json": json.dumps(
            {"auths": {"https://index.docker.io/v1/": {"auth": auth}, "ghcr.io": {"auth": "!!"}}}
        ),
        "home/.kube/config": kube,
        "home/.npmrc": f"//registry.npmjs.org/:_authToken={npm}\nregistry=https://r\n",
        "home/.pypirc": f"[distutils]\nindex-servers = pypi\n[pypi]\nusername = __token__\n"
        f"password = {pypi}\n",
        "home/.netrc": "machine api.example.com login bob password Pw-9x!Lq2z\n"
        "default login anon password x\nmacdef init\n",
        "home/.git-credentials": f"https://bob:{ghp}@github.com\nhttps://x@y\n",
        "home/application_default_credentials.json": json.dumps(
            {
                "client_id": "7.apps.googleusercontent.com",
                "client_secret": "d-FL95Q19q7MQmFpd7hHD0Ty",
                "refresh_token": "1//0gabcdefghijklmnopqrstuvwxyz0123456789",
                "type": "authorized_user",
            }
        ),
        "home/terraform.tfstate": json.dumps(tfstate, indent=2),
        ".env": f"# env\nexport GITHUB_TOKEN=\"{ghp}\"\nOPENAI_API_KEY='{oai}'\n"
        "DB_PASSWORD=Kx9!mQ2vLp7z # note\nEMPTY=\n",
        "docker-compose.yml": "services:\n  db:\n    image: postgres\n    environment:\n"
        "      POSTGRES_PASSWORD: Kx9!mQ2vLp7z\n      - API_KEY=" + oai + "\n",
        "k8s/secret.yaml": k8s,
        ".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n"
        "    env:\n      TOKEN: ${{ secrets.TOKEN }}\n      OTHER: " + ghp + "\n",
        "prod.tfstate": json.dumps(tfstate),
    }
    return files


def notebooks():
    oai = example_secret("openai-project-api-key")
    akia = example_secret("aws-access-key-id")

    def nb(cells):
        return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)

    code = lambda src, outputs=(): {
        "cell_type": "code",
        "execution_count": 1,
        "metadata": {},
        "outputs": list(outputs),
        "source": src,
    }
    return [
        nb([code(["import openai\n", f'openai.api_key = "{oai}"\n'])]),
        nb([code(f'key = "{akia}"', [{"output_type": "stream", "name": "stdout", "text": [akia + "\n"]}])]),
        nb(
            [
                {"cell_type": "markdown", "metadata": {}, "source": ["# Title\n", "password: hunter22\n"]},
                code(
                    "print(1)",
                    [{"output_type": "execute_result", "data": {"text/plain": [f"'{oai}'"]}, "metadata": {}}],
                ),
            ]
        ),
        nb([]),
        '{"cells": "not a list"}',
    ]


def seeds_config_stores():
    c = Corpus("config_stores")
    for path, text in store_files().items():
        c.add(store_byte(path) + text.encode())
    for text in notebooks()[:2]:
        c.add(store_byte("nb.ipynb") + text.encode())
    c.add(store_byte("home/.mcp.json") + b'{"mcpServers": ')
    c.add(store_byte("home/.kube/config") + b"users: [\n")
    c.write()


def seeds_notebook():
    c = Corpus("notebook")
    for text in notebooks():
        c.add(text)
    c.write()


# ---------------------------------------------------------------------------------------------
# git_diff: real `git diff` output of a scratch repository.


def git(repo, *args, input=None):
    env = dict(os.environ, GIT_AUTHOR_DATE="2024-01-01T00:00:00Z", GIT_COMMITTER_DATE="2024-01-01T00:00:00Z")
    return subprocess.run(
        ["git", "-c", "user.name=f", "-c", "user.email=f@x", "-c", "core.quotepath=true", *args],
        cwd=repo, check=True, capture_output=True, input=input, env=env,
    ).stdout


def seeds_git_diff():
    c = Corpus("git_diff")
    ghp = example_secret("github-classic-pat")
    with tempfile.TemporaryDirectory() as d:
        repo = Path(d)
        git(repo, "init", "-q")
        w = lambda p, t: (repo / p).parent.mkdir(parents=True, exist_ok=True) or (repo / p).write_bytes(t)
        w("a.txt", b"one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n")
        w("old name.py", b"x = 1\n" * 20)
        w("gone.txt", b"bye\n")
        w("bin.dat", bytes(range(256)))
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "base")
        w("a.txt", b"one\nTWO\nthree\nfour\nfive\nsix\nseven\n" + f"token={ghp}\n".encode() + b"nine\nten")
        git(repo, "mv", "old name.py", "new name.py")
        w("new name.py", b"x = 1\n" * 19 + b"password = 'Kx9!mQ2vLp7z'\n")
        (repo / "gone.txt").unlink()
        w("bin.dat", bytes(range(255, -1, -1)))
        w("ünïcode/dir/f.env", f"GITHUB_TOKEN={ghp}\r\n".encode())
        os.chmod(repo / "a.txt", 0o755)
        git(repo, "add", "-A")
        for args in (
            ["diff", "--cached"],
            ["diff", "--cached", "-U0"],
            ["diff", "--cached", "-M", "--binary"],
            ["diff", "--cached", "--", "a.txt"],
            ["diff", "--cached", "--", "ünïcode"],
            ["diff", "--cached", "--no-renames", "--", "old name.py", "new name.py"],
        ):
            c.add(git(repo, *args))
        git(repo, "commit", "-qm", "change")
        c.add(git(repo, "format-patch", "-1", "--stdout"))
        c.add(git(repo, "show", "--format=", "HEAD"))
    c.add("diff --git a/x b/x\nnew file mode 100644\n--- /dev/null\n+++ b/x\n@@ -0,0 +1 @@\n+added\n")
    c.add("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n\\ No newline at end of file\n")
    c.write()


# ---------------------------------------------------------------------------------------------
# generic: the generic detector's case table, grouped by language, under the table's file names.

LANG_PATHS = {
    "python": "app/settings.py", "js": "src/config.js", "ts": "src/config.ts",
    "java": "src/main/java/App.java", "kotlin": "src/main/kotlin/App.kt",
    "go": "internal/db/db.go", "ruby": "config/app.rb", "php": "wp-config.php",
    "csharp": "src/Program.cs", "shell": "scripts/deploy.sh", "env": ".env",
    "yaml": "config/app.yaml", "json": "config/app.json", "toml": "config/app.toml",
    "xml": "config/app.xml", "ini": "config/app.ini",
    "properties": "src/main/resources/application.properties", "sql": "db/init.sql",
    "dockerfile": "Dockerfile", "http": "api/requests.http", "hcl": "infra/main.tf",
    "markdown": "docs/setup.md", "text": "notes.txt", "c": "src/sqlite3.c", "rust": "src/lib.rs",
}


def named(path):
    """The arbitrary-name form of `keytrace_fuzz::file_name`: 0xF0, the name, a newline."""
    return b"\xf0" + path.encode() + b"\n"


def generic_groups(per_file):
    cases = tomllib.loads((ROOT / "tests/data/generic_cases.toml").read_text())["case"]
    groups = {}
    for case in cases:
        path = case.get("path") or LANG_PATHS.get(case.get("lang", ""), "unknown.txt")
        groups.setdefault(path, []).append(case["line"])
    out = []
    for path, lines in sorted(groups.items()):
        for i in range(0, len(lines), per_file):
            out.append(named(path) + "\n".join(lines[i : i + per_file]).encode() + b"\n")
    return out


def seeds_generic():
    c = Corpus("generic")
    for seed in generic_groups(16)[:40]:
        c.add(seed)
    c.add(name_byte("deploy.sh") + b"docker login -u bob -p Kx9mQ2vLp7z\ncurl -u a:b https://x\n")
    c.add(name_byte("notes.txt") + "name:PASS\u00e9val password=é€😀\n".encode())
    c.write()


# ---------------------------------------------------------------------------------------------
# identity: rule examples with the span of their secret, for the decoders each format has.

IDENTITY_RULES = [
    "aws", "openai", "github", "jwt", "pypi", "postgres", "azure", "gcp", "slack", "generic",
]
IDENTITY_FILES = {
    "aws.toml": 0, "openai.toml": 1, "anthropic.toml": 1, "github.toml": 2, "jwt.toml": 3,
    "pypi.toml": 4, "database.toml": 5, "azure.toml": 6, "gcp.toml": 7, "slack.toml": 8,
}


def seeds_identity():
    c = Corpus("identity")
    for rule in RULES:
        sel = IDENTITY_FILES.get(rule["_file"])
        if sel is None:
            continue
        for ex in rule["examples"][:2]:
            a, b = secret_span(rule, ex)
            raw = ex.encode()
            start = len(ex[:a].encode())
            length = len(ex[a:b].encode())
            c.add(bytes([sel]) + struct.pack("<HH", start, length) + raw)
    c.add(bytes([5]) + struct.pack("<HH", 13, 16) + "postgres://app:Sup3r-sécrét@db.internal/x".encode())
    c.write()


# ---------------------------------------------------------------------------------------------
# redact_location


def seeds_redact_location():
    c = Corpus("redact_location")
    blobs = [
        b"ab\ncd=XYZ\n",
        "é=KEY\n€ 😀 x\r\ny".encode(),
        b"\xff\xfe\n\xd0\xd0\nplain",
        b"",
        b"\n\n\n",
        "line one\nsk-proj-Ab3kQ9vLx2RmT7pWz4Nc8sYhJ1fG5dKe0uVbXq6tLr2Mw9f\n".encode(),
    ]
    secrets = [b"hunter2", b"Zq4!bLv2", b"sk-proj-Ab3kQ9vLx2RmT7", "ééééé".encode(), b"-----BEGIN KEY-----\nMIIE"]
    for i, blob in enumerate(blobs):
        for j, secret in enumerate(secrets[:3] if i else secrets):
            c.add(struct.pack("<HH", i * 3, i * 7 + j) + secret + b"\0" + blob)
    c.write()


# ---------------------------------------------------------------------------------------------
# scan_bytes: rule examples (under varied names), store files, generic cases.


def seeds_scan_bytes():
    c = Corpus("scan_bytes")
    by_file = {}
    for rule in RULES:
        by_file.setdefault(rule["_file"], []).extend(rule["examples"] + rule.get("negative_examples", []))
    files = sorted(by_file)
    groups = [files[i::26] for i in range(26)]
    code_names = [n for n in FILE_NAMES if n not in STORE_NAMES_IN_FILE_LIST]
    for i, group in enumerate(groups):
        text = "\n".join(ex for f in group for ex in by_file[f]) + "\n"
        c.add(name_byte(code_names[i % len(code_names)]) + text.encode())
    stores = store_files()
    for name in STORE_NAMES_IN_FILE_LIST:
        key = next((k for k in stores if k.endswith(name)), None)
        if key:
            c.add(name_byte(name) + stores[key].encode())
    for seed in generic_groups(40)[:8]:
        c.add(seed)
    c.write()


STORE_NAMES_IN_FILE_LIST = [
    ".env", ".npmrc", ".docker/config.json", ".kube/config", "terraform.tfstate",
    "docker-compose.yml", ".mcp.json", ".aws/credentials", ".netrc", ".git-credentials",
    ".codex/config.toml", "k8s/secret.yaml",
]


def main():
    seeds_rules_toml()
    seeds_config_toml()
    seeds_owners_file()
    seeds_codeowners()
    seeds_baseline()
    seeds_config_stores()
    seeds_notebook()
    seeds_git_diff()
    seeds_generic()
    seeds_identity()
    seeds_redact_location()
    seeds_scan_bytes()


if __name__ == "__main__":
    main()
