//! Detection rules as data: the model, the embedded set, user rule directories and `rules check`.

pub mod check;
pub mod docs;
mod load;
mod model;
pub mod text;

pub use load::{
    DETECTION_CODE_HASH, MAX_RULE_FILE, RuleError, check_unique_ids, embedded_rules,
    load_rules_from, parse_rule_file, rule_files_in,
};
pub use model::{Confidence, Rule, RuleOrigin, Severity, ValidatorKind};
