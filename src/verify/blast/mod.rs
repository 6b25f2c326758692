//! Blast radius (`--blast-radius`, with `--verify`): what an active key can reach, from
//! read-only calls only.

mod model;

pub use model::BlastRadius;
