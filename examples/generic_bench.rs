//! The generic detector's share of scan time.
//!
//! `cargo run --release --example generic_bench [-- --rules DIR] [--files N | --dir A,B]`
//! either writes N source, config and documentation files (default 3000, about 50 MB) dense with
//! everyday uses of `key`, `token`, `password` and `auth` (a worst case: a keyword every ~30
//! bytes), or reads existing trees (files under 1 MiB). On one thread, in 11 interleaved rounds,
//! it times the same scan with the full rule set and with a provider-only one
//! (`RuleSet::provider_only`: the shared keyword pass collects nothing for the generic
//! detector), and reports the fastest and the median run of each: once as a directory scan
//! (walk, read, match, findings) and once over blobs already in memory, which leaves out I/O
//! and so gives the larger, conservative share. The difference is what the generic detector
//! costs. Not asserted anywhere: the figures go to README ("Cost").

use keytrace::blob::Origin;
use keytrace::coverage::Coverage;
use keytrace::matcher::RuleSet;
use keytrace::pipeline::{self, Limits};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const TEMPLATES: &[(&str, &str)] = &[
    (
        "py",
        "import os\n\ndef connect(user, password=None):\n    key = cache_key(user)\n    token = request.headers.get(\"Authorization\")\n    if not password:\n        password = os.environ[\"DB_PASSWORD\"]\n    for k, v in settings.items():\n        print(k, v)\n    return Client(api_key=settings.API_KEY, timeout=30)\n",
    ),
    (
        "js",
        "export function login(user, pass) {\n  const key = `${user.id}:${Date.now()}`;\n  const token = localStorage.getItem('token');\n  return fetch('/api/auth', { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: JSON.stringify({ user, pass }) });\n}\nconst keys = Object.keys(obj).filter((k) => k !== 'password');\n",
    ),
    (
        "go",
        "func (s *Server) Auth(w http.ResponseWriter, r *http.Request) {\n\ttoken := r.Header.Get(\"Authorization\")\n\tkey := fmt.Sprintf(\"%s/%s\", s.prefix, token)\n\tif err := s.store.Check(key); err != nil {\n\t\thttp.Error(w, \"invalid token\", 401)\n\t}\n\tpassword := os.Getenv(\"SMTP_PASSWORD\")\n}\n",
    ),
    (
        "java",
        "public class AuthService {\n    private final PasswordEncoder passwordEncoder;\n    public String token(String key) {\n        String password = System.getenv(\"DB_PASSWORD\");\n        return keyStore.getKey(key, password.toCharArray()).toString();\n    }\n}\n",
    ),
    (
        "yaml",
        "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          env:\n            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef: { name: db, key: password }\n            - name: LOG_LEVEL\n              value: info\n",
    ),
    (
        "json",
        "{\"name\": \"app\", \"version\": \"1.0.0\", \"keywords\": [\"auth\", \"token\", \"keyboard\"], \"scripts\": {\"test\": \"jest\"}, \"dependencies\": {\"passport\": \"^0.7.0\", \"jsonwebtoken\": \"^9.0.0\"}}\n",
    ),
    (
        "md",
        "# Authentication\n\nSend the token in the `Authorization` header. Keys rotate every 90 days;\nthe password policy requires 12 characters. See the key management guide.\n",
    ),
    (
        "env",
        "LOG_LEVEL=info\nDB_HOST=db\nDB_PASSWORD=Kx9!mQ2vLp7z\nAUTH_ENABLED=true\nTOKEN_TTL=900\n",
    ),
    (
        "tf",
        "resource \"aws_db_instance\" \"db\" {\n  username = \"app\"\n  password = var.db_password\n  kms_key_id = aws_kms_key.db.arn\n  tags = { Name = \"db\" }\n}\n",
    ),
    (
        "xml",
        "<configuration>\n  <appSettings>\n    <add key=\"Timeout\" value=\"30\" />\n    <add key=\"ApiKey\" value=\"k8J2mQ9xL4pV7zR1tW6y\" />\n  </appSettings>\n</configuration>\n",
    ),
];

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
    };
    let n: usize = arg("--files").map_or(Ok(3000), |s| s.parse())?;
    let rules: Vec<PathBuf> = arg("--rules").map(PathBuf::from).into_iter().collect();
    let (_, set) = keytrace::commands::rules::load_ruleset(&rules)?;
    let provider_rules = keytrace::rules::embedded_rules()?
        .into_iter()
        .chain(
            rules
                .iter()
                .map(|d| keytrace::rules::load_rules_from(d))
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .flatten(),
        )
        .collect();
    let without_generic = RuleSet::provider_only(provider_rules, false)?;
    let dir = tempfile::tempdir()?;
    let roots: Vec<PathBuf> = match arg("--dir") {
        Some(d) => d.split(',').map(PathBuf::from).collect(),
        None => {
            for i in 0..n {
                let (ext, body) = TEMPLATES[i % TEMPLATES.len()];
                let text = body.repeat(60 + i % 40);
                std::fs::write(dir.path().join(format!("f{i}.{ext}")), text)?;
            }
            vec![dir.path().to_path_buf()]
        }
    };
    let coverage = Coverage::default();
    let files = keytrace::source::fs::list_files(&roots, false, 1, &coverage)?;
    let files: Vec<_> = files
        .into_iter()
        .filter(|f| std::fs::metadata(&f.path).is_ok_and(|m| m.len() < 1 << 20))
        .collect();
    let total: usize = files
        .iter()
        .map(|f| std::fs::metadata(&f.path).map_or(0, |m| m.len() as usize))
        .sum();
    let blobs: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|f| {
            (
                f.display.clone(),
                std::fs::read(&f.path).unwrap_or_default(),
            )
        })
        .collect();
    let on_disk = |set: &RuleSet| {
        timed(|| {
            pipeline::with_threads(1, || {
                pipeline::scan_files(
                    &files,
                    set,
                    Limits::default(),
                    &coverage,
                    &pipeline::plain_text,
                )
            })
            .len()
        })
    };
    let in_memory = |set: &RuleSet| {
        timed(|| {
            let mut m = set.matcher();
            blobs
                .iter()
                .map(|(path, bytes)| {
                    let origin = Origin {
                        path: path.clone(),
                        ..Origin::default()
                    };
                    keytrace::detect::findings_in_blob(
                        set,
                        &mut m,
                        bytes,
                        &origin,
                        &keytrace::coverage::Coverage::default(),
                    )
                    .len()
                })
                .sum()
        })
    };
    // Interleaved rounds, so that a burst of load on the shared machine hits both variants.
    let (mut disk, mut disk_provider, mut mem, mut mem_provider) = (vec![], vec![], vec![], vec![]);
    for _ in 0..ROUNDS {
        disk.push(on_disk(&set));
        disk_provider.push(on_disk(&without_generic));
        mem.push(in_memory(&set));
        mem_provider.push(in_memory(&without_generic));
    }
    // The generic detector's own work, given the hits of the shared keyword pass.
    let hits: Vec<_> = blobs
        .iter()
        .map(|(_, b)| keytrace::generic::keyword_hits(b))
        .collect();
    let lexing: Vec<_> = (0..ROUNDS)
        .map(|_| {
            timed(|| {
                blobs
                    .iter()
                    .zip(&hits)
                    .map(|((path, bytes), h)| {
                        keytrace::generic::candidates_at(bytes, path, h).len()
                    })
                    .sum()
            })
        })
        .collect();
    println!(
        "{} files, {:.1} MB, {} provider rules, {} generic keyword hits; {ROUNDS} rounds",
        files.len(),
        total as f64 / 1e6,
        set.len(),
        hits.iter().map(Vec::len).sum::<usize>()
    );
    report("directory scan (walk, read, match)", &disk, &disk_provider);
    report("in memory (match only, no I/O)", &mem, &mem_provider);
    println!(
        "generic lexing and judging alone, given the hits: {:?} fastest",
        fastest(&lexing).0
    );
    Ok(())
}

const ROUNDS: usize = 11;

/// The share from the fastest run of each variant (load on a shared machine only ever adds
/// time, so the minimum is the steadiest estimate), and from the medians as a cross-check.
fn report(what: &str, full: &[(Duration, usize)], provider_only: &[(Duration, usize)]) {
    let share = |with: Duration, without: Duration| {
        100.0 * (with.as_secs_f64() - without.as_secs_f64()) / with.as_secs_f64()
    };
    let (fast, found) = fastest(full);
    let (fast_provider, provider_found) = fastest(provider_only);
    let (mid, mid_provider) = (median(full).0, median(provider_only).0);
    println!("{what}:");
    println!("  with generic detector:  {fast:?} fastest, {mid:?} median ({found} findings)");
    println!(
        "  provider rules only:    {fast_provider:?} fastest, {mid_provider:?} median ({provider_found} findings)"
    );
    println!(
        "  generic share:          {:.1}% (fastest runs), {:.1}% (medians)",
        share(fast, fast_provider),
        share(mid, mid_provider)
    );
}

fn fastest(runs: &[(Duration, usize)]) -> (Duration, usize) {
    *runs.iter().min().expect("at least one run")
}

fn timed(f: impl FnOnce() -> usize) -> (Duration, usize) {
    let t = Instant::now();
    let r = f();
    (t.elapsed(), r)
}

fn median(runs: &[(Duration, usize)]) -> (Duration, usize) {
    let mut sorted = runs.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}
