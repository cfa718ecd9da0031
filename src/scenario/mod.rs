//! Scenario files: types, loading, validation and error reporting.

pub mod diagnostic;
pub mod edgelist;
pub mod edit;
pub mod load;
pub mod locate;
pub mod select;
pub mod strategy;
pub mod types;
pub mod validate;

pub use diagnostic::{Diagnostic, ScenarioError, TomlPath};
pub use load::{Loaded, Overrides, load, located, parse_str, parse_toml};
pub use types::*;
