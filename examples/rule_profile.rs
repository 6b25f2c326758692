//! Per-rule matching cost on a corpus: which rules dominate scan time.
//! `cargo run --release --example rule_profile -- DIR [MAX_MIB]`: prints the slowest rules.

use keytrace::matcher::RuleSet;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: rule_profile DIR [MAX_MIB]");
    let max = args
        .next()
        .and_then(|m| m.parse::<usize>().ok())
        .unwrap_or(64)
        << 20;
    let mut blobs = Vec::new();
    let mut total = 0;
    for entry in ignore::WalkBuilder::new(&dir).build().flatten() {
        if total > max || !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        if let Ok(b) = std::fs::read(entry.path()) {
            total += b.len();
            blobs.push(b);
        }
    }
    let rules = keytrace::rules::embedded_rules().expect("rules");
    let all = RuleSet::new(rules.clone(), true).expect("rules compile");
    let mut m = all.matcher();
    let start = Instant::now();
    let n: usize = blobs.iter().map(|b| m.scan(b).len()).sum();
    let t = start.elapsed().as_secs_f64();
    println!(
        "whole ruleset: {t:.3}s ({:.0} MiB/s, {n} matches)",
        (total >> 20) as f64 / t
    );
    let mut kws: Vec<String> = rules
        .iter()
        .flat_map(|r| r.keywords.iter().map(|k| k.to_ascii_lowercase()))
        .collect();
    kws.sort();
    kws.dedup();
    let ac = aho_corasick::AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .build(&kws)
        .unwrap();
    let start = Instant::now();
    let hits: usize = blobs
        .iter()
        .map(|b| ac.find_overlapping_iter(b).count())
        .sum();
    let t = start.elapsed().as_secs_f64();
    println!(
        "keyword automaton alone: {t:.3}s ({:.0} MiB/s, {hits} hits)",
        (total >> 20) as f64 / t
    );
    let mut costs = Vec::new();
    for rule in rules {
        let id = rule.id.clone();
        let set = RuleSet::new(vec![rule], true).expect("rule compiles");
        let mut m = set.matcher();
        let start = Instant::now();
        let mut n = 0;
        for b in &blobs {
            n += m.scan(b).len();
        }
        costs.push((start.elapsed().as_secs_f64(), id, n));
    }
    costs.sort_by(|a, b| b.0.total_cmp(&a.0));
    let sum: f64 = costs.iter().map(|c| c.0).sum();
    println!(
        "{} MiB in {} blobs; all rules one by one: {sum:.2}s",
        total >> 20,
        blobs.len()
    );
    for (t, id, n) in costs.iter().take(25) {
        println!("{t:8.3}s  {:5.1}%  {id} ({n} matches)", 100.0 * t / sum);
    }
}
