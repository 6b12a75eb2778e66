//! Python bindings (`downline._core`). Thin: convert arguments, release the GIL, call the
//! core, hand results over as Arrow through the PyCapsule interface.

mod errors;

use crate::arrow as batches;
use crate::error::Error;
use crate::ledger::{TreeRow, VolumeRow};
use crate::money::Volume;
use crate::montecarlo::{KeepDistributors, SimulateOptions};
use crate::plan::{CompiledPlan, Format};
use crate::scenario::Scenario;
use crate::simulation::Progress;
use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::{RecordBatch, RecordBatchIterator};
use errors::to_py;
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict};
use rust_decimal::Decimal;
use std::ffi::CString;
use std::str::FromStr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

/// A validated compensation plan.
#[pyclass(name = "Plan", module = "downline._core", frozen)]
struct PyPlan {
    inner: Arc<CompiledPlan>,
}

#[pymethods]
impl PyPlan {
    /// Parse a plan from TOML text.
    #[staticmethod]
    fn from_toml(text: &str) -> PyResult<Self> {
        Ok(PyPlan {
            inner: Arc::new(CompiledPlan::parse(text, Format::Toml).map_err(to_py)?),
        })
    }
    /// Parse a plan from JSON text.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Ok(PyPlan {
            inner: Arc::new(CompiledPlan::parse(text, Format::Json).map_err(to_py)?),
        })
    }
    /// The plan as JSON text (as written, defaults left out).
    fn to_json(&self) -> String {
        serde_json::to_string(&self.inner.spec).expect("a plan spec serializes")
    }
    #[getter]
    fn name(&self) -> String {
        self.inner.name.clone()
    }
    #[getter]
    fn currency(&self) -> String {
        self.inner.currency.clone()
    }
    /// What the plan allows that is probably a mistake (it stays valid).
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.inner.warnings.clone()
    }
    /// Cost of goods as a share of the volume's value (`[company] cost_of_goods`), or
    /// None when the plan does not say.
    #[getter]
    fn cost_of_goods(&self) -> Option<f64> {
        self.inner.cost_of_goods.map(|c| c as f64 / 1e6)
    }
    /// Rank names, lowest first.
    #[getter]
    fn ranks(&self) -> Vec<String> {
        self.inner.ranks.iter().map(|r| r.name.clone()).collect()
    }
    /// (name, kind, paid_by_company) of each bonus, in payment order.
    #[getter]
    fn bonuses(&self) -> Vec<(String, String, bool)> {
        self.inner
            .spec
            .bonus
            .iter()
            .zip(&self.inner.bonuses)
            .map(|(s, b)| {
                (
                    b.name().to_string(),
                    s.kind().to_string(),
                    b.paid_by_company(),
                )
            })
            .collect()
    }
}

/// A validated scenario.
#[pyclass(name = "Scenario", module = "downline._core", frozen)]
struct PyScenario {
    inner: Arc<Scenario>,
}

#[pymethods]
impl PyScenario {
    /// Parse a scenario from TOML text.
    #[staticmethod]
    fn from_toml(text: &str) -> PyResult<Self> {
        Ok(PyScenario {
            inner: Arc::new(Scenario::parse(text, Format::Toml).map_err(to_py)?),
        })
    }
    /// Parse a scenario from JSON text.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Ok(PyScenario {
            inner: Arc::new(Scenario::parse(text, Format::Json).map_err(to_py)?),
        })
    }
    /// A named preset shipped with downline.
    #[staticmethod]
    fn preset(name: &str) -> PyResult<Self> {
        Ok(PyScenario {
            inner: Arc::new(Scenario::preset(name).map_err(to_py)?),
        })
    }
    /// The names of the presets.
    #[staticmethod]
    fn preset_names() -> Vec<&'static str> {
        crate::scenario::PRESETS.iter().map(|(n, _)| *n).collect()
    }
    /// The scenario as JSON text.
    fn to_json(&self) -> String {
        serde_json::to_string(&self.inner.spec).expect("a scenario spec serializes")
    }
    #[getter]
    fn founders(&self) -> u32 {
        self.inner.founders
    }
}

/// An Arrow table, exported through the Arrow PyCapsule interface
/// (`pl.DataFrame(table)` takes it without a copy).
#[pyclass(name = "ArrowTable", module = "downline._core", frozen)]
struct ArrowTable {
    batch: RecordBatch,
}

#[pymethods]
impl ArrowTable {
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema; // the schema is fixed; consumers cast if they wish
        let schema = self.batch.schema();
        let reader = RecordBatchIterator::new(vec![Ok(self.batch.clone())], schema);
        let stream = FFI_ArrowArrayStream::new(Box::new(reader));
        let name = CString::new("arrow_array_stream").expect("no NUL");
        PyCapsule::new(py, stream, Some(name))
    }
    fn __len__(&self) -> usize {
        self.batch.num_rows()
    }
}

fn table(b: RecordBatch) -> ArrowTable {
    ArrowTable { batch: b }
}

/// Run the simulation with the GIL released. Polls for Ctrl-C and reports progress to
/// `progress(done_months, total_months)` about ten times a second.
#[pyfunction]
#[pyo3(signature = (plan, scenario, months, runs, seed, threads=None, keep_runs=None, progress=None, max_memory=None))]
#[allow(clippy::too_many_arguments)]
fn simulate<'py>(
    py: Python<'py>,
    plan: &PyPlan,
    scenario: &PyScenario,
    months: u32,
    runs: u32,
    seed: u64,
    threads: Option<usize>,
    keep_runs: Option<u32>,
    progress: Option<Bound<'py, PyAny>>,
    max_memory: Option<u64>,
) -> PyResult<Bound<'py, PyDict>> {
    if months == 0 || months > 600 {
        return Err(to_py(Error::Argument(format!(
            "months = {months}: use 1 to 600"
        ))));
    }
    let opts = SimulateOptions {
        months: months as u16,
        runs,
        seed,
        threads,
        keep_distributors: match keep_runs {
            None => KeepDistributors::All,
            Some(0) => KeepDistributors::None,
            Some(k) => KeepDistributors::First(k),
        },
        max_memory,
    };
    opts.validate().map_err(to_py)?;
    let plan_c = plan.inner.clone();
    let scen_c = scenario.inner.clone();
    let total = months as u64 * runs as u64;
    let prog = Arc::new(Progress::default());
    let callback: Option<Py<PyAny>> = progress.map(|p| p.unbind());
    let mut py_err: Option<PyErr> = None;
    let result = py.detach(|| {
        std::thread::scope(|s| {
            let (tx, rx) = std::sync::mpsc::channel();
            let p2 = prog.clone();
            let (pl, sc) = (plan_c.clone(), scen_c.clone());
            s.spawn(move || {
                let r = crate::montecarlo::simulate(&pl, &sc, &opts, Some(&p2));
                let _ = tx.send(r);
            });
            loop {
                match rx.recv_timeout(Duration::from_millis(100)) {
                    Ok(r) => return r,
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                        let done = prog.months_done.load(Ordering::Relaxed);
                        let stop = Python::attach(|py| {
                            if let Err(e) = py.check_signals() {
                                return Some(e);
                            }
                            if let Some(cb) = &callback {
                                if let Err(e) = cb.call1(py, (done, total)) {
                                    return Some(e);
                                }
                            }
                            None
                        });
                        if let Some(e) = stop {
                            py_err = Some(e);
                            prog.cancel.store(true, Ordering::Relaxed);
                        }
                    }
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                        return Err(Error::Argument(
                            "the simulation thread stopped unexpectedly".into(),
                        ))
                    }
                }
            }
        })
    });
    if let Some(e) = py_err {
        return Err(e);
    }
    let out = result.map_err(to_py)?;
    if let Some(cb) = &callback {
        cb.call1(py, (total, total))?;
    }
    let (monthly, bonuses, ranks, runs_t, dist) = py.detach(|| {
        (
            batches::monthly_batch(&out),
            batches::bonus_batch(&plan_c, &out),
            batches::rank_batch(&plan_c, &out),
            batches::runs_batch(&out),
            batches::distributor_batch(&plan_c, &out),
        )
    });
    let d = PyDict::new(py);
    d.set_item("monthly", table(monthly))?;
    d.set_item("bonuses", table(bonuses))?;
    d.set_item("ranks", table(ranks))?;
    d.set_item("runs", table(runs_t))?;
    d.set_item("distributors", table(dist))?;
    Ok(d)
}

fn parse_volume(s: &str, table: &str, what: &str, row: usize) -> PyResult<i64> {
    let d = Decimal::from_str(s.trim())
        .or_else(|_| Decimal::from_scientific(s.trim()))
        .map_err(|_| {
            to_py(Error::Input(format!(
                "{table} row {row}: {what} {s:?} is not a number"
            )))
        })?;
    Volume::from_decimal(d)
        .map(|v| v.0)
        .map_err(|e| to_py(Error::Input(format!("{table} row {row}: {what} {s} {e}"))))
}

/// The deterministic engine on a given downline. Volumes are decimal strings (points).
#[pyfunction]
#[pyo3(signature = (plan, ids, sponsors, join_months, quit_months, vol_ids, vol_months, pv, retail, placement=None, leg=None, preferred=None, party_ids=None, party_months=None, party_pv=None, rank_ids=None, rank_months=None, ranks=None, title_ids=None, titles=None))]
#[allow(clippy::too_many_arguments)]
fn compute_commissions(
    py: Python<'_>,
    plan: &PyPlan,
    ids: Vec<i64>,
    sponsors: Vec<Option<i64>>,
    join_months: Vec<i64>,
    quit_months: Option<Vec<Option<i64>>>,
    vol_ids: Vec<i64>,
    vol_months: Vec<i64>,
    pv: Vec<String>,
    retail: Option<Vec<String>>,
    placement: Option<Vec<Option<i64>>>,
    leg: Option<Vec<Option<i64>>>,
    preferred: Option<Vec<String>>,
    party_ids: Option<Vec<i64>>,
    party_months: Option<Vec<i64>>,
    party_pv: Option<Vec<String>>,
    rank_ids: Option<Vec<i64>>,
    rank_months: Option<Vec<i64>>,
    ranks: Option<Vec<String>>,
    title_ids: Option<Vec<i64>>,
    titles: Option<Vec<String>>,
) -> PyResult<ArrowTable> {
    let n = ids.len();
    if sponsors.len() != n
        || join_months.len() != n
        || quit_months.as_ref().is_some_and(|q| q.len() != n)
        || placement.as_ref().is_some_and(|q| q.len() != n)
        || leg.as_ref().is_some_and(|q| q.len() != n)
    {
        return Err(to_py(Error::Input(
            "tree: columns of different lengths".into(),
        )));
    }
    let tree: Vec<TreeRow> = (0..n)
        .map(|k| TreeRow {
            id: ids[k],
            sponsor: sponsors[k],
            join_month: join_months[k],
            quit_month: quit_months.as_ref().and_then(|q| q[k]),
        })
        .collect();
    if leg.is_some() && placement.is_none() {
        return Err(to_py(Error::Input(
            "tree: a leg column needs a placement column (the placement parent)".into(),
        )));
    }
    let placed: Option<Vec<crate::ledger::PlacementRow>> = placement.map(|par| {
        (0..n)
            .map(|k| crate::ledger::PlacementRow {
                id: ids[k],
                parent: par[k],
                leg: leg.as_ref().and_then(|l| l[k]),
            })
            .collect()
    });
    let mut vols = Vec::with_capacity(vol_ids.len());
    for k in 0..vol_ids.len() {
        vols.push(VolumeRow {
            id: vol_ids[k],
            month: vol_months[k],
            pv: parse_volume(&pv[k], "volumes", "pv", k)?,
            retail: match &retail {
                Some(r) => parse_volume(&r[k], "volumes", "retail", k)?,
                None => 0,
            },
            preferred: match &preferred {
                Some(r) => parse_volume(&r[k], "volumes", "preferred", k)?,
                None => 0,
            },
        });
    }
    let mut parties = vec![];
    match (party_ids, party_months, party_pv) {
        (None, None, None) => {}
        (Some(ids), Some(months), Some(pvs)) => {
            if months.len() != ids.len() || pvs.len() != ids.len() {
                return Err(to_py(Error::Input(
                    "parties: columns of different lengths".into(),
                )));
            }
            for k in 0..ids.len() {
                parties.push(crate::ledger::PartyRow {
                    id: ids[k],
                    month: months[k],
                    pv: parse_volume(&pvs[k], "parties", "pv", k)?,
                });
            }
        }
        _ => {
            return Err(to_py(Error::Input(
                "parties: give id, month and pv together".into(),
            )))
        }
    }
    let mut given = vec![];
    match (rank_ids, rank_months, ranks) {
        (None, None, None) => {}
        (Some(ids), Some(months), Some(names))
            if ids.len() == months.len() && ids.len() == names.len() =>
        {
            for k in 0..ids.len() {
                given.push(crate::ledger::RankRow {
                    id: ids[k],
                    month: months[k],
                    rank: names[k].clone(),
                });
            }
        }
        _ => {
            return Err(to_py(Error::Input(
                "ranks: give id, month and rank together, of the same length".into(),
            )))
        }
    }
    let mut held = vec![];
    match (title_ids, titles) {
        (None, None) => {}
        (Some(ids), Some(names)) if ids.len() == names.len() => {
            for (id, title) in ids.into_iter().zip(names) {
                held.push(crate::ledger::TitleRow { id, title });
            }
        }
        _ => {
            return Err(to_py(Error::Input(
                "titles: give id and title together, of the same length".into(),
            )))
        }
    }
    let plan_c = plan.inner.clone();
    let lines = py
        .detach(|| {
            crate::ledger::compute_ledger(
                &plan_c,
                &crate::ledger::LedgerInput {
                    tree: &tree,
                    placement: placed.as_deref(),
                    volumes: &vols,
                    parties: &parties,
                    ranks: &given,
                    titles: &held,
                },
            )
        })
        .map_err(to_py)?;
    Ok(table(batches::ledger_batch(&plan_c, &lines)))
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyPlan>()?;
    m.add_class::<PyScenario>()?;
    m.add_class::<ArrowTable>()?;
    m.add_function(wrap_pyfunction!(simulate, m)?)?;
    m.add_function(wrap_pyfunction!(compute_commissions, m)?)?;
    m.add("PlanError", m.py().get_type::<errors::PlanError>())?;
    m.add("ScenarioError", m.py().get_type::<errors::ScenarioError>())?;
    m.add("InputError", m.py().get_type::<errors::InputError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
