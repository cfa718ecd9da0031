//! The one error type of the commands, and the exit-code policy it carries.
//!
//! - **exit 2, bad input**: a scenario's diagnostics, arguments, files the user gave or
//!   a file softpower reads back that is corrupt or foreign, a refusal to overwrite.
//! - **exit 1, the machine failed**: I/O (disk full, permission denied on a write, out of
//!   memory) or an internal error.
//! - **exit 130, interrupted** (Ctrl-C, SIGTERM): finished work is kept.
//!
//! Messages say what is wrong and, where there is one, how to proceed (`help:`).

use crate::scenario::ScenarioError;
use std::fmt;
use std::path::Path;

pub const EXIT_FAILURE: u8 = 1;
pub const EXIT_INVALID: u8 = 2;
/// 128 + SIGINT.
pub const EXIT_INTERRUPTED: u8 = 130;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Problems of a scenario file or a file checked like one (file:line:col, field).
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    /// Bad input that is not a scenario file: arguments, paths, a corrupt read-back file,
    /// a refusal to overwrite.
    #[error("{}", with_help(message, help))]
    Invalid {
        message: String,
        help: Option<String>,
    },
    /// The operating system failed an operation (the context says which and on what).
    #[error("{}", if context.is_empty() { source.to_string() } else { format!("{context}: {source}") })]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// Something that should not fail did (serialising, plotting, an internal check).
    #[error("{0}")]
    Failure(String),
    /// Stopped by Ctrl-C or SIGTERM; the message says what was kept and how to go on.
    #[error("{0}")]
    Interrupted(String),
}

fn with_help(message: &str, help: &Option<String>) -> String {
    match help {
        Some(h) => format!("{message}\n  help: {h}"),
        None => message.to_string(),
    }
}

impl Error {
    /// Bad input.
    pub fn invalid(message: impl Into<String>) -> Error {
        Error::Invalid {
            message: message.into(),
            help: None,
        }
    }
    /// Bad input from a text whose last line may be "  help: …" (messages built with
    /// `format!` that say how to proceed).
    pub fn from_text(text: impl Into<String>) -> Error {
        let text = text.into();
        match text.split_once("\n  help: ") {
            Some((m, h)) => Error::invalid(m).help(h),
            None => Error::invalid(text),
        }
    }
    /// Bad input about one file: "FILE: message".
    pub fn in_file(file: &Path, message: impl fmt::Display) -> Error {
        Error::invalid(format!("{}: {message}", file.display()))
    }
    /// A failure of the machine or the program.
    pub fn failure(message: impl Into<String>) -> Error {
        Error::Failure(message.into())
    }
    /// Adds how to proceed to bad input (other kinds are returned unchanged).
    pub fn help(self, h: impl Into<String>) -> Error {
        match self {
            Error::Invalid { message, .. } => Error::Invalid {
                message,
                help: Some(h.into()),
            },
            e => e,
        }
    }
    /// The process exit code of this error (the policy in the module comment).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Scenario(_) | Error::Invalid { .. } => EXIT_INVALID,
            Error::Io { .. } | Error::Failure(_) => EXIT_FAILURE,
            Error::Interrupted(_) => EXIT_INTERRUPTED,
        }
    }
    /// The text printed on standard error: "error: " before all but an interruption
    /// (scenario diagnostics carry their own prefix on every line).
    pub fn report(&self) -> String {
        match self {
            Error::Scenario(e) => e.to_string(),
            Error::Interrupted(m) => m.clone(),
            e => format!("error: {e}"),
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(source: std::io::Error) -> Error {
        Error::Io {
            context: String::new(),
            source,
        }
    }
}

macro_rules! failure_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Error {
            fn from(e: $t) -> Error {
                Error::Failure(e.to_string())
            }
        }
    )*};
}
failure_from!(
    serde_json::Error,
    csv::Error,
    toml::ser::Error,
    crate::plot::PlotError,
    rayon::ThreadPoolBuildError
);

impl<W> From<csv::IntoInnerError<W>> for Error {
    fn from(e: csv::IntoInnerError<W>) -> Error {
        Error::Failure(e.error().to_string())
    }
}

/// Context for a failed operation, in the words of the operation.
pub trait Context<T> {
    /// Says what was being done: I/O errors keep their kind (exit 1), others get the
    /// context in front of their message.
    fn context(self, what: impl fmt::Display) -> Result<T>;
    fn with_context<D: fmt::Display>(self, what: impl FnOnce() -> D) -> Result<T>;
}

impl<T, E: Into<Error>> Context<T> for std::result::Result<T, E> {
    fn context(self, what: impl fmt::Display) -> Result<T> {
        self.map_err(|e| add_context(e.into(), what.to_string()))
    }
    fn with_context<D: fmt::Display>(self, what: impl FnOnce() -> D) -> Result<T> {
        self.map_err(|e| add_context(e.into(), what().to_string()))
    }
}

fn add_context(e: Error, what: String) -> Error {
    match e {
        Error::Io { context, source } if context.is_empty() => Error::Io {
            context: what,
            source,
        },
        Error::Io { context, source } => Error::Io {
            context: format!("{what}: {context}"),
            source,
        },
        Error::Failure(m) => Error::Failure(format!("{what}: {m}")),
        Error::Invalid { message, help } => Error::Invalid {
            message: format!("{what}: {message}"),
            help,
        },
        e => e,
    }
}

/// Reads a file the user named: a missing or unreadable file is bad input (exit 2), not a
/// failure of the machine.
pub fn read_user_file(path: &Path) -> Result<Vec<u8>> {
    crate::scenario::load::read_regular_file(path)
        .map_err(|e| Error::in_file(path, format!("cannot read: {e}")))
}

/// Lowercase hex SHA-256 of `bytes` (scenario hashes in manifests and game files).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    use std::fmt::Write;
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_input_exits_2_machine_failures_1_interrupts_130() {
        assert_eq!(Error::invalid("x").exit_code(), 2);
        let io = std::io::Error::other("disk full");
        assert_eq!(Error::from(io).exit_code(), 1);
        assert_eq!(Error::failure("x").exit_code(), 1);
        assert_eq!(Error::Interrupted("stopped".into()).exit_code(), 130);
    }

    #[test]
    fn help_is_printed_on_its_own_line_after_the_message() {
        let e = Error::invalid("no such thing").help("try another");
        assert_eq!(e.report(), "error: no such thing\n  help: try another");
    }

    #[test]
    fn context_keeps_an_io_error_a_machine_failure() {
        let r: std::result::Result<(), std::io::Error> = Err(std::io::Error::other("boom"));
        let e = r.context("cannot write out/a.csv").unwrap_err();
        assert_eq!(e.exit_code(), 1);
        assert_eq!(e.to_string(), "cannot write out/a.csv: boom");
    }

    #[test]
    fn sha256_hex_of_the_empty_string_is_the_published_digest() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
