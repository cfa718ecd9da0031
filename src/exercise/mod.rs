//! Classroom exercises (`softpower exercise`): a scenario played in rounds by teams, each
//! controlling one `playable` actor through a decisions file per round.
//!
//! State between rounds is **not** serialised: a game is its folder's inputs (the frozen
//! scenario, the injects and every round's decisions as played), and the state at the
//! start of round N is recomputed by simulating rounds 1..N−1 again. The engine is
//! deterministic (random streams keyed by tick, phase and population), so this is exact
//! and cheap for classroom-sized scenarios; it needs no file format for engine internals,
//! keeps rewinding trivial (drop later rounds' inputs) and each round's `round.json`
//! records the results, so a changed engine or scenario is detected, not silently mixed.
//!
//! Modules: `decisions` (the teams' files), `play` (simulation and the counterfactual
//! attribution of each round), `game` (the folder: new, status, advance, rewind),
//! `report` (round reports and the final debrief), `serve` (the game served to the class's
//! browsers; nothing else here depends on it). Nothing here prints to the terminal.

pub mod decisions;
pub mod game;
pub mod play;
pub mod report;
pub mod serve;

pub use game::{Game, MissingPolicy, TeamStatus};

use serde::{Deserialize, Serialize};

/// How a game is played: written once to `game.toml` by `exercise new`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Version of the game folder's format (`FORMAT_VERSION` of the writer); a file without
    /// it is version 1.
    #[serde(default = "format_v1")]
    pub format: u32,
    /// The frozen copy of the scenario inside the game folder.
    pub scenario: String,
    pub scenario_sha256: String,
    pub rounds: u32,
    pub ticks_per_round: u32,
    /// Actor ids of the teams, in scenario order.
    pub teams: Vec<String>,
}

/// Version of the game folder's format: `game.toml` carries it for the whole folder
/// (its round records and decisions files).
pub const FORMAT_VERSION: u32 = 1;

fn format_v1() -> u32 {
    1
}

/// Whether `id` can name a file inside the game folder: letters, digits, `_` and `-`
/// only, so no team id can make a path that leaves the folder.
pub fn plain_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl Settings {
    /// First tick of `round` (from 1) and the first tick after it.
    pub fn round_ticks(&self, round: u32) -> (u32, u32) {
        let l = self.ticks_per_round;
        (round.saturating_sub(1) * l, round * l)
    }
    pub fn total_ticks(&self) -> u32 {
        self.rounds * self.ticks_per_round
    }
}

/// Absolute tolerance within which a round's attribution must add up to the total change
/// of each team's index. Shapley values add up exactly in real arithmetic; what is left
/// is floating-point rounding.
pub const ATTRIBUTION_TOLERANCE: f64 = 1e-9;
