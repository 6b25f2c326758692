//! `keytrace rules check`: every rule's examples must match and its negative examples must not,
//! through the real matcher (prefilter, windows, regex, entropy, validators, noise filters).

use super::Rule;
use crate::matcher::RuleSet;

/// One example that did not behave as its rule says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleFailure {
    pub rule_id: String,
    pub problem: String,
}

impl std::fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.rule_id, self.problem)
    }
}

/// Check every rule's positive and negative examples. Each rule is checked alone, so an example
/// documents its own rule, whatever other rules exist.
pub fn check_examples(rules: &[Rule]) -> Vec<ExampleFailure> {
    let mut failures = Vec::new();
    for rule in rules {
        let fail = |problem: String| ExampleFailure {
            rule_id: rule.id.clone(),
            problem,
        };
        if rule.examples.is_empty() {
            failures.push(fail("has no positive example".into()));
        }
        if rule.negative_examples.is_empty() {
            failures.push(fail("has no negative example".into()));
        }
        let set = match RuleSet::new(vec![rule.clone()], true) {
            Ok(set) => set,
            Err(e) => {
                failures.push(fail(e.to_string()));
                continue;
            }
        };
        let mut matcher = set.matcher();
        for example in &rule.examples {
            if matcher.scan(example.as_bytes()).is_empty() {
                failures.push(fail(format!("example does not match: {example:?}")));
            }
        }
        for example in &rule.negative_examples {
            if !matcher.scan(example.as_bytes()).is_empty() {
                failures.push(fail(format!("negative example matches: {example:?}")));
            }
        }
    }
    failures
}
