# The kit's commands. `make help` lists them. Everything runs in .venv, created on first use.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONFIG ?= data/sample/engagement.yaml
JOBS ?=
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help setup browser report test test-fast lab workshop bench lint format sample clean

help: ## Show this list of commands
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --prefix $(VENV) --name python3 --display-name "Python 3 (kit)" >/dev/null
	@touch $(STAMP)

setup: $(STAMP) ## Create .venv and install the kit with its test tools

browser: $(STAMP) ## Make sure a headless Chromium-family browser is there for PDFs
	@bash scripts/ensure-browser.sh $(BIN)/python

report: setup browser ## Build the report packs (HTML + PDF) for the sample client (CONFIG=... for yours)
	$(BIN)/kit report --config $(CONFIG) $(if $(JOBS),--jobs $(JOBS))

test: setup browser ## Run every test: unit, notebooks (nbval), end to end, browser
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env --doctest-modules kit tests notebooks

test-fast: setup ## Unit tests only (no notebooks, no report run)
	$(BIN)/python -m pytest -m "not slow and not browser" --doctest-modules kit tests

lab: setup ## Open the notebooks in JupyterLab (no news feed, no update check: nothing leaves)
	$(BIN)/jupyter lab notebooks/ --LabApp.news_url=None \
		--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate

workshop: setup ## Serve the workshop widgets (Voilà, code hidden) on 127.0.0.1 (CONFIG=...)
	$(BIN)/kit workshop --config $(CONFIG)

bench: setup browser ## Measure the speed and memory goals (prints figures)
	@failed=0; for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || failed=1; done; exit $$failed

lint: setup ## Check style with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check kit tests benchmarks

format: setup ## Format the code with ruff
	$(BIN)/ruff format kit tests benchmarks
	$(BIN)/ruff check --fix .

sample: setup ## Regenerate the sample client's data (deterministic)
	$(BIN)/kit sample data/sample

clean: ## Remove generated reports and caches (keeps .venv)
	find reports -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -not -path "./$(VENV)/*" -exec rm -rf {} +
