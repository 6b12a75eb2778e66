//! The one place where core errors become Python exceptions.

use crate::error::Error;
use pyo3::exceptions::{PyKeyboardInterrupt, PyValueError};
use pyo3::prelude::*;

pyo3::create_exception!(
    _core,
    PlanError,
    PyValueError,
    "A compensation plan is malformed; the message names the field path and what to fix."
);
pyo3::create_exception!(
    _core,
    ScenarioError,
    PyValueError,
    "A scenario is malformed; the message names the field path and what to fix."
);
pyo3::create_exception!(
    _core,
    InputError,
    PyValueError,
    "A tree or volumes table given to compute_commissions is inconsistent."
);

/// Map a core error to its Python exception.
pub fn to_py(e: Error) -> PyErr {
    let msg = e.to_string();
    match e {
        Error::Plan { .. } => PlanError::new_err(msg),
        Error::Scenario { .. } => ScenarioError::new_err(msg),
        Error::Input(_) => InputError::new_err(msg),
        Error::Argument(_) => PyValueError::new_err(msg),
        Error::Interrupted => PyKeyboardInterrupt::new_err("simulation interrupted"),
    }
}
