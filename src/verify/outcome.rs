//! What one verification concluded, and how it is written onto a finding.

use crate::finding::Finding;
use serde_json::Value;
use std::collections::BTreeMap;

/// The verdict, ordered by how much it says (so the strongest of several can be kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// keytrace has no check for this kind of credential.
    NotSupported,
    /// The check could not conclude (network error, rate limit, unexpected answer, missing pair).
    Unverifiable,
    /// The provider rejected the credential.
    Inactive,
    /// The provider accepted the credential.
    Active,
}

impl Status {
    /// The value of `props.verification`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Inactive => "inactive",
            Status::Unverifiable => "unverifiable",
            Status::NotSupported => "not-supported",
        }
    }
}

/// A verdict with the principal and details the provider reported.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: Status,
    /// Who the provider says the credential belongs to.
    pub principal: Option<String>,
    /// Provider details; written to `props.identity` as `verified_<key>`.
    pub details: BTreeMap<String, Value>,
    /// Why the verdict is not `active` (or what limited it), for the reader.
    pub reason: Option<String>,
    /// What the key can reach (`--blast-radius`, active keys only).
    pub blast: Option<Box<super::blast::BlastRadius>>,
}

impl Outcome {
    fn new(status: Status, reason: Option<String>) -> Outcome {
        Outcome {
            status,
            principal: None,
            details: BTreeMap::new(),
            reason,
            blast: None,
        }
    }

    pub fn active(principal: Option<String>) -> Outcome {
        Outcome {
            principal: principal.filter(|p| !p.is_empty()),
            ..Outcome::new(Status::Active, None)
        }
    }

    pub fn inactive(reason: impl Into<String>) -> Outcome {
        Outcome::new(Status::Inactive, Some(reason.into()))
    }

    pub fn unverifiable(reason: impl Into<String>) -> Outcome {
        Outcome::new(Status::Unverifiable, Some(reason.into()))
    }

    pub fn not_supported(reason: impl Into<String>) -> Outcome {
        Outcome::new(Status::NotSupported, Some(reason.into()))
    }

    /// Add a detail when it has a value (`null` and empty strings are skipped, never invented).
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Outcome {
        let value = value.into();
        let empty = value.is_null() || value.as_str().is_some_and(str::is_empty);
        if !empty {
            self.details.insert(key.to_string(), value);
        }
        self
    }

    /// Write the verdict onto a finding; an active key's severity rises one step.
    pub fn apply(&self, f: &mut Finding) {
        f.props.verification = Some(self.status.as_str().to_string());
        if let Some(p) = &self.principal {
            f.props.principal = Some(p.clone());
        }
        for (k, v) in &self.details {
            f.props.identity.insert(format!("verified_{k}"), v.clone());
        }
        if let Some(r) = &self.reason {
            f.props
                .identity
                .insert("verified_reason".into(), Value::String(r.clone()));
        }
        if let Some(b) = &self.blast {
            f.props.blast_radius = Some(b.as_ref().clone());
        }
        if self.status == Status::Active {
            f.severity = f.severity.raised();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stronger_verdicts_sort_higher() {
        assert!(Status::Active > Status::Inactive);
        assert!(Status::Inactive > Status::Unverifiable);
        assert!(Status::Unverifiable > Status::NotSupported);
    }

    #[test]
    fn empty_details_are_not_recorded() {
        let o = Outcome::active(Some(String::new()))
            .with("team", "")
            .with("id", Value::Null)
            .with("scopes", "repo");
        assert_eq!(o.principal, None);
        assert_eq!(o.details.keys().collect::<Vec<_>>(), vec!["scopes"]);
    }
}
