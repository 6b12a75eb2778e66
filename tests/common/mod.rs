//! Helpers shared by the golden test files (`mod common;` in each).
#![allow(dead_code)]

use downline::{CompiledPlan, Error, Format};

/// A plan that must parse.
pub fn plan(toml: &str) -> CompiledPlan {
    CompiledPlan::parse(toml, Format::Toml).unwrap_or_else(|e| panic!("plan should parse: {e}"))
}

/// The field path and message of a plan that must be rejected.
pub fn plan_err(toml: &str) -> (String, String) {
    match CompiledPlan::parse(toml, Format::Toml) {
        Ok(_) => panic!("plan should be rejected:\n{toml}"),
        Err(Error::Plan { path, message }) => (path, message),
        Err(e) => panic!("expected a plan error, got {e:?}"),
    }
}
