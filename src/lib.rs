//! softpower: an agent-based simulator of soft-power influence (public, mass and digital diplomacy).
//!
//! Layers, from the inside out: `world` (state), `engine` (tick loop and phases, no I/O),
//! `metrics`, then `scenario` (files), `output`, `plot`, `experiment` and `cli`.

pub mod cli;
pub mod engine;
pub mod experiment;
pub mod metrics;
pub mod model;
pub mod output;
pub mod plot;
pub mod rng;
pub mod scenario;
pub mod world;
