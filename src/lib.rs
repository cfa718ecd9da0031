//! softpower: an agent-based simulator of soft-power influence (public, mass and digital diplomacy).
//!
//! Layers, from the inside out (ARCHITECTURE.md; `tests/architecture.rs` checks them):
//! `rng`, `model` (vocabulary and the checked scenario), `world` (state), `engine` (tick
//! loop and phases, no I/O), `metrics`, `scenario` (files), `experiment`, `plot`, `output`
//! and `cli`.

pub mod cli;
pub mod engine;
pub mod error;
pub mod exercise;
pub mod experiment;
pub mod metrics;
pub mod model;
pub mod output;
pub mod plot;
pub mod rng;
pub mod scenario;
pub mod world;
