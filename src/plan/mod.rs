//! Compensation plans: the rules a company decides.
//!
//! A plan file ([`spec::PlanSpec`], TOML or JSON) is parsed, validated field by field and
//! compiled ([`compile`]) into a [`CompiledPlan`]: integer fixed-point amounts and rank
//! tables, ready for the engine.

pub mod compile;
pub(crate) mod shape;
pub mod spec;

pub use compile::{
    BinaryRule, Bonus, CompiledPlan, Costs, Placement, Rank, NO_RANK, ON_PARTY, ON_PREFERRED,
    ON_RETAIL,
};
pub use spec::{Dec, PlanSpec};

use crate::error::{Error, Result};

/// Which text format a file is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// TOML (`.toml`).
    Toml,
    /// JSON (`.json`).
    Json,
}

impl Format {
    /// The format of a file by its extension (TOML unless it ends in `.json`).
    pub fn from_path(path: &str) -> Format {
        if path.to_ascii_lowercase().ends_with(".json") {
            Format::Json
        } else {
            Format::Toml
        }
    }
}

/// Parse TOML or JSON text into a generic value; `mk` builds the error for the file.
pub(crate) fn parse_value(
    text: &str,
    format: Format,
    mk: fn(String, String) -> Error,
) -> Result<serde_json::Value> {
    match format {
        Format::Toml => toml::from_str::<toml::Value>(text)
            .map(toml_to_json)
            .map_err(|e| {
                let at = e.span().map_or(String::new(), |s| {
                    let (line, column) = line_column(text, s.start);
                    format!("line {line}, column {column}: ")
                });
                mk(
                    "(file)".into(),
                    format!("not valid TOML: {at}{}", e.message().trim()),
                )
            }),
        Format::Json => shape::json_strict(text)
            .map_err(|e| mk("(file)".into(), format!("not valid JSON: {e}"))),
    }
}

/// The 1-based line and column (in characters) of byte `offset` of `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// A TOML value as JSON. A float that JSON cannot hold (`inf`, `nan`) becomes a string,
/// so that it is rejected with its field path instead of silently becoming null.
fn toml_to_json(v: toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        toml::Value::String(s) => J::String(s),
        toml::Value::Integer(i) => J::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f)
            .map(J::Number)
            .unwrap_or_else(|| J::String(f.to_string())),
        toml::Value::Boolean(b) => J::Bool(b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(a) => J::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            J::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

/// Deserialize a generic value into `T`, with the field path of the first error.
pub(crate) fn from_value<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
    mk: fn(String, String) -> Error,
) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let mut path = e.path().to_string();
        let mut message = e.into_inner().to_string();
        // An error from a value deserialized by hand carries the rest of its path.
        if let Some(rest) = message.strip_prefix(spec::PATH_MARK) {
            if let Some((sub, msg)) = rest.split_once(spec::PATH_MARK) {
                path = if sub.starts_with('[') {
                    format!("{path}{sub}")
                } else {
                    format!("{path}.{sub}")
                };
                message = msg.to_string();
            }
        }
        let path = if path == "." || path.is_empty() {
            "(top level)".to_string()
        } else {
            path
        };
        mk(path, message)
    })
}

impl CompiledPlan {
    /// Parse, validate and compile a plan written as TOML or JSON text.
    pub fn parse(text: &str, format: Format) -> Result<CompiledPlan> {
        let value = parse_value(text, format, |p, m| Error::Plan {
            path: p,
            message: m,
        })?;
        Self::from_json_value(value)
    }

    /// Validate and compile a plan given as a generic (JSON-shaped) value.
    pub fn from_json_value(value: serde_json::Value) -> Result<CompiledPlan> {
        shape::check_plan(&value).map_err(|(path, message)| Error::Plan { path, message })?;
        let spec: PlanSpec = from_value(value, |p, m| Error::Plan {
            path: p,
            message: m,
        })?;
        compile::compile(spec)
    }

    /// Read a plan file (`.toml` or `.json`).
    pub fn load(path: &str) -> Result<CompiledPlan> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::plan("(file)", format!("cannot read {path}: {e}")))?;
        Self::parse(&text, Format::from_path(path))
    }
}
