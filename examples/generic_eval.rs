//! Precision and recall of the generic detector over tests/data/generic_cases.toml.
//!
//! `cargo run --example generic_eval` prints the figures recorded in README ("Measured precision and recall"), at the
//! detector's full output (`low`) and at the default `--confidence medium`, with every miss.

use keytrace::generic::eval::{evaluate, parse_cases};
use keytrace::rules::Confidence;

fn main() -> anyhow::Result<()> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/generic_cases.toml");
    let cases = parse_cases(&std::fs::read_to_string(path)?)?;
    let group = |name: &str| -> Vec<_> {
        cases
            .iter()
            .filter(|c| c.group.as_deref() == Some(name))
            .cloned()
            .collect()
    };
    let (holdout, holdout2) = (group("holdout"), group("holdout2"));
    let runs = [
        ("all cases", &cases, Confidence::Low),
        ("all cases", &cases, Confidence::Medium),
        ("held-out cases (holdout)", &holdout, Confidence::Low),
        ("held-out cases (holdout2)", &holdout2, Confidence::Low),
        ("held-out cases (holdout2)", &holdout2, Confidence::Medium),
    ];
    for (label, cases, min) in runs {
        let s = evaluate(cases, min);
        print!("{label}, ");
        println!(
            "confidence >= {min}: {} cases ({} languages), TP {} FP {} TN {} FN {}, precision {:.3}, recall {:.3}",
            s.cases,
            s.by_lang.len(),
            s.true_pos,
            s.false_pos,
            s.true_neg,
            s.false_neg,
            s.precision(),
            s.recall()
        );
        for f in &s.failures {
            println!("  {f}");
        }
    }
    Ok(())
}
