//! Matcher throughput on a mixed corpus: source code with a few secrets, as in a real repo.
//! Run with `cargo bench --bench matcher`; figures are recorded in README.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use keytrace::matcher::RuleSet;
use std::hint::black_box;

/// ~4 MiB of code-like text: identifiers, assignments, URLs, JSON and a handful of secrets.
fn corpus() -> Vec<u8> {
    let lines = [
        "fn handle_request(req: &Request, token_store: &TokenStore) -> Result<Response, Error> {",
        "    let url = format!(\"https://api.example.com/v1/items/{}\", item.id);",
        "    config.password_policy = PasswordPolicy::Strict; // keyboard shortcuts",
        "    \"max_tokens\": 4096, \"temperature\": 0.2, \"model\": \"gpt-4o\",",
        "const secretName = process.env.SECRET_NAME || 'default';",
        "import os; api_key = os.environ[\"OPENAI_API_KEY\"]",
        "    <dependency><groupId>org.example</groupId><version>1.2.3</version></dependency>",
        "sha512-Qm3Zr8TnVb2Lx9KcWp4Hs7Jd1Fg6YaQm3Zr8TnVb2Lx9KcWp4Hs7Jd1Fg6Ya==",
        "    assert_eq!(parse(\"password=${DB_PASSWORD}\"), Ok(()));",
        "# The quick brown fox jumps over the lazy dog; skip tokenizer tests.",
    ];
    let secrets = [
        "OPENAI_API_KEY=sk-proj-Ab3kQ9vLx2RmT7pWz4Nc8sYhJ1fG5dKe0uVbXq6tLr2Mw9fZp4Hs7Jd1Fg6YaQm3Zr8TnVb2Lx9KcW",
        "aws_access_key_id = AKIAZ2QKXMRV7TXB5GNE",
        "DATABASE_URL=postgres://app:Vb2Lx9KcWp4Hs7@db.internal:5432/app",
    ];
    let mut out = Vec::new();
    let mut i = 0usize;
    while out.len() < 4 << 20 {
        out.extend_from_slice(lines[i % lines.len()].as_bytes());
        out.push(b'\n');
        if i % 20_000 == 0 {
            out.extend_from_slice(secrets[(i / 20_000) % secrets.len()].as_bytes());
            out.push(b'\n');
        }
        i += 1;
    }
    out
}

fn bench_matcher(c: &mut Criterion) {
    let rules = keytrace::rules::embedded_rules().expect("embedded rules");
    let set = RuleSet::new(rules, true).expect("rules compile");
    let data = corpus();
    let mut group = c.benchmark_group("matcher");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.sample_size(20);
    group.bench_function("mixed-corpus-4MiB", |b| {
        let mut matcher = set.matcher();
        b.iter(|| black_box(matcher.scan(black_box(&data))).len())
    });
    group.finish();
}

/// The expansion stage on the same corpus: finding candidate spans and decoding them
/// (`expand`), and a whole blob scan with and without it (`scan_bytes` runs the stage; the
/// difference to `findings_in_blob` is what decoding costs a plain scan).
fn bench_expand(c: &mut Criterion) {
    use keytrace::blob::Origin;
    use keytrace::coverage::Coverage;
    let rules = keytrace::rules::embedded_rules().expect("embedded rules");
    let set = RuleSet::new(rules, true).expect("rules compile");
    let data = corpus();
    let origin = Origin {
        path: "src/lib.rs".to_string(),
        source: keytrace::finding::SourceKind::File,
        store: None,
    };
    let coverage = Coverage::default();
    let mut group = c.benchmark_group("expand");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.sample_size(10);
    group.bench_function("expand-only-4MiB", |b| {
        let limits = keytrace::expand::Limits::default();
        b.iter(|| {
            black_box(keytrace::expand::expand(black_box(&data), &limits))
                .views
                .len()
        })
    });
    group.bench_function("findings_in_blob-4MiB", |b| {
        let mut matcher = set.matcher();
        b.iter(|| {
            keytrace::detect::findings_in_blob(&set, &mut matcher, &data, &origin, &coverage).len()
        })
    });
    group.bench_function("scan_bytes-4MiB", |b| {
        let mut matcher = set.matcher();
        b.iter(|| {
            keytrace::pipeline::scan_bytes(
                &set,
                &mut matcher,
                &data,
                &origin,
                &coverage,
                &keytrace::pipeline::plain_text,
            )
            .len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench_matcher, bench_expand);
criterion_main!(benches);
