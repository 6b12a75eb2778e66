//! The one error type of the core. Every variant carries a message that names what is
//! wrong and, for plan and scenario files, the field path (`bonus[1].rates.Manager[3]`).
//! The Python bindings map each variant to its own exception class in one place
//! (`src/python/errors.rs`).

/// Everything that can go wrong in downline.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum Error {
    /// A compensation plan is malformed or inconsistent. `path` is the field path.
    #[error("{path}: {message}")]
    Plan { path: String, message: String },
    /// A scenario (market and behaviour assumptions) is malformed. `path` is the field path.
    #[error("{path}: {message}")]
    Scenario { path: String, message: String },
    /// Data handed to the deterministic engine (a tree or volumes table) is inconsistent.
    #[error("{0}")]
    Input(String),
    /// Simulation arguments (months, runs, threads) are out of range.
    #[error("{0}")]
    Argument(String),
    /// A run was stopped by its caller (Ctrl-C) before it finished.
    #[error("the run was interrupted")]
    Interrupted,
}

/// `Result` with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// A plan error at `path`.
    pub fn plan(path: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Plan {
            path: path.into(),
            message: message.into(),
        }
    }
    /// A scenario error at `path`.
    pub fn scenario(path: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Scenario {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Return early with an error unless `cond` holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $err:expr) => {
        if !$cond {
            return Err($err);
        }
    };
}
