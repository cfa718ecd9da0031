//! Scenario files: the raw types, loading, checking into a `CheckedScenario`, and error
//! reporting.

pub mod check;
pub mod diagnostic;
pub mod edgelist;
pub mod edit;
pub mod load;
pub mod locate;
pub mod preflight;
pub mod select;
pub mod strategy;
pub mod types;

pub use crate::model::checked::CheckedScenario;
pub use check::check;
pub use diagnostic::{Diagnostic, ScenarioError, TomlPath};
pub use load::{Loaded, Overrides, load, located, parse_checked, parse_str, parse_toml};
pub use preflight::preflight;
pub use types::*;
