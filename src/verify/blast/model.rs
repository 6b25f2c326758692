//! What an active key can reach, as written onto a finding (`props.blast_radius`).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The reach of one credential, from read-only calls to its provider.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BlastRadius {
    /// Who the credential acts as (login, ARN, workspace user…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
    /// The kind of credential the provider reports (`classic-pat`, `fine-grained-pat`, `bot`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// When the credential expires, as the provider reports it (`None`: never, or not told).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Scopes, roles or permissions the provider reports, as it spells them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permissions: Vec<String>,
    /// Organisations, teams or workspaces the principal belongs to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub organizations: Vec<String>,
    /// Resources counted by kind (`repositories_admin`, `repositories_push`, `attached_policies`…).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub resources: BTreeMap<String, u64>,
    /// Whether the credential can administer something (repository or org admin, IAM admin,
    /// workspace admin…).
    pub admin: bool,
    /// Whether it can write (push, publish, post, change resources); `None` when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write: Option<bool>,
    /// What could not be learned, and why (a call refused, a count capped…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub limitations: Vec<String>,
}
