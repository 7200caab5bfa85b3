# The two quick-start commands are `make demo` and `make test`; both install what is missing first.
# torch is installed on its own before the package: TORCH_SPEC picks the build (on the project's CI
# machines torch==2.13.0 is a CPU wheel on disk; elsewhere set e.g. TORCH_SPEC=torch to take PyPI's latest).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
TORCH_SPEC ?= torch==2.13.0
BIN := $(VENV)/bin
STAMP := $(VENV)/.multivae-installed
NB_WORKERS ?= 2

.PHONY: install demo test check-sync nbtest readme docs docs-check bench-quick bench clean

$(STAMP): setup.py settings.ini
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip setuptools wheel
	@$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install -q "$(TORCH_SPEC)"
	@$(BIN)/python -m pip install -q -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

## the main job: simulate the default data, train, evaluate and draw (results in results/demo)
demo: $(STAMP)
	$(BIN)/multivae-train --checkpoint_dir results/demo --vis_output_dir results/demo/figures --overwrite

## the whole test suite: notebooks and library in sync and clean, then every notebook's tests
test: $(STAMP) check-sync nbtest

check-sync: $(STAMP)
	@$(BIN)/python .ci/check_sync.py

# one torch/BLAS thread per notebook: NB_WORKERS notebooks run side by side, and oversubscribed threads make torch
# many times slower
nbtest: $(STAMP)
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/nbdev_test --n_workers $(NB_WORKERS) --timing

## README.md from nbs/index.ipynb
readme: $(STAMP)
	$(BIN)/python .ci/build_readme.py

## local docs without Quarto (HTML pages + screenshots check)
docs: $(STAMP)
	$(BIN)/python .ci/build_docs.py

docs-check: docs
	$(BIN)/python .ci/check_docs.py

bench-quick: $(STAMP)
	OMP_NUM_THREADS=1 $(BIN)/multivae-bench --quick --output_dir benchmark_results

bench: $(STAMP)
	$(BIN)/multivae-bench

clean:
	rm -rf $(VENV) results _proc _docs docs_html docs_check
