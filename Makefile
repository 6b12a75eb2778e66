# downline — two commands: `make demo` and `make test`. Each sets everything up first.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.deps-stamp
# What the Python side needs, from PyPI; versions are lower bounds that were tested.
PY_DEPS := 'maturin>=1.7,<2' 'polars>=1.20' 'numpy>=1.26' 'tqdm>=4.60' 'pytest>=8' 'nbmake>=1.5' \
           'ipykernel>=6' 'mypy>=1.11' 'ruff>=0.6' 'matplotlib>=3.8' 'ipywidgets>=8' \
           'dask[distributed]>=2024.1' 'SALib>=1.4.7' 'hypothesis>=6.170'

.PHONY: demo test setup build test-rust test-python fuzz bench lint fmt notebooks clean

setup: $(STAMP)

$(STAMP): pyproject.toml Makefile
	$(PY) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet $(PY_DEPS)
	touch $(STAMP)

# Build the extension in release mode into the virtual environment (target/ is reused).
build: setup
	$(VENV)/bin/maturin develop --release --quiet

demo: build
	$(VPY) -m downline.cli simulate examples/plans/unilevel.toml examples/scenarios/baseline.toml \
		--months 36 --runs 200 --seed 7 --out out/demo

test: build lint test-rust test-python

test-rust:
	cargo test --release --all-targets
	cargo test --release --doc

# tests/python/test_fuzz.py runs with the `ci` hypothesis profile here (well under a minute).
test-python: build
	$(VPY) -m mypy.stubtest downline._core
	$(VPY) -m pytest -q tests/python
	$(VPY) -m pytest -q --nbmake notebooks

# The fuzz target for longer: generated and mutated plans, scenarios, downlines (a few minutes).
fuzz: build
	HYPOTHESIS_PROFILE=fuzz $(VPY) -m pytest -q tests/python/test_fuzz.py \
		--hypothesis-show-statistics

# benches/big_company.py (1,000,000 founders, a few minutes) is run by hand.
bench: build
	cargo bench --bench month_step
	$(VPY) benches/reference.py --runs 1 --threads 1
	$(VPY) benches/numpy_reference.py
	$(VPY) benches/realistic_plans.py --repeat 3

lint: setup
	cargo fmt --all -- --check
	cargo clippy --release --all-targets -- -D warnings
	$(VENV)/bin/ruff check python tests benches tools

fmt: setup
	cargo fmt --all
	$(VENV)/bin/ruff format python tests benches

# Rewrite and re-execute the notebooks (committed with their outputs).
notebooks: build
	$(VPY) tools/build_notebooks.py

clean:
	rm -rf $(VENV) out target
