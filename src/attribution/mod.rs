//! Attribution: tie each finding to an owner (CODEOWNERS, owners file, git author) and to the
//! identity its key encodes offline.

pub mod codeowners;
pub mod owner;
pub mod owners_file;
