# The kit's commands. `make help` lists them. Everything runs in .venv, created on first use.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONFIG ?= data/sample/engagement.yaml
JOBS ?=
LOCK := requirements.lock
#: The sample client's packs: all that `make clean` deletes of reports/ (tests/test_project.py)
SAMPLE_PACKS := reports/helix-biopharma
#: make lab: the port (the next free one if taken) and any other jupyter lab options
PORT ?= 8888
ARGS ?=
#: Jupyter refuses to run as root without --allow-root: given only when running as root.
AS_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help setup browser report test test-fast lab workshop bench lint format sample lock clean clean-all

help: ## Show this list of commands
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# The exact versions of requirements.lock, then the kit itself (editable, nothing else resolved).
# In a git clone, nbstripout strips notebooks' outputs as they are committed (a second line
# behind `make lab`, which saves them without outputs); --keep-id: cell ids are not outputs.
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --prefix $(VENV) --name python3 --display-name "Python 3" >/dev/null
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		$(BIN)/nbstripout --install --attributes .gitattributes && \
		git config filter.nbstripout.clean '"$(CURDIR)/$(BIN)/python" -m nbstripout --keep-id' && \
		git config diff.ipynb.textconv '"$(CURDIR)/$(BIN)/python" -m nbstripout --keep-id -t' && \
		echo "git: notebooks are committed without outputs (nbstripout filter)"; fi
	@touch $(STAMP)

setup: $(STAMP) ## Create .venv with the locked versions (requirements.lock) and the kit

lock: setup ## Re-resolve requirements.lock after a change to pyproject.toml (keeps pins that still fit)
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version $$($(BIN)/python -c 'import platform; print(platform.python_version())') \
		--no-annotate --custom-compile-command "make lock" --quiet -o $(LOCK)

browser: $(STAMP) ## Make sure a headless Chromium-family browser is there for PDFs
	@bash scripts/ensure-browser.sh $(BIN)/python

report: setup browser ## Build the report packs (HTML + PDF) for the sample client (CONFIG=... for yours)
	$(BIN)/kit report --config $(CONFIG) $(if $(JOBS),--jobs $(JOBS))

test: setup browser ## Run every test: unit, notebooks (nbval), end to end, browser
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env --doctest-modules kit tests notebooks

test-fast: setup ## Unit tests only (no notebooks, no report run)
	$(BIN)/python -m pytest -m "not slow and not browser" --doctest-modules kit tests

lab: setup ## JupyterLab on the notebooks, saved without outputs, nothing fetched (PORT=8888, ARGS=--no-browser)
	$(BIN)/jupyter lab notebooks/ --config "$(CURDIR)/jupyter/jupyter_server_config.py" \
		--port $(PORT) $(AS_ROOT) $(ARGS)

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

clean: ## Remove the sample's packs and the caches (your clients' packs in reports/ stay)
	rm -rf $(SAMPLE_PACKS)
	rm -rf .pytest_cache .ruff_cache .hypothesis build dist kit/_bundled
	find . -name __pycache__ -not -path "./$(VENV)/*" -exec rm -rf {} +

clean-all: clean ## Remove every pack in reports/, every client's (asks first)
	@ls -d reports/*/ 2>/dev/null || { echo "reports/ holds no packs."; exit 0; }; \
	read -r -p "Delete every pack above (all clients)? [y/N] " answer; \
	if [ "$$answer" = y ] || [ "$$answer" = Y ]; then \
		find reports -mindepth 1 ! -name .gitkeep -exec rm -rf {} +; echo "reports/ emptied."; \
	else echo "Nothing deleted."; fi
