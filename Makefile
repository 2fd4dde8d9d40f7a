# The commands a newcomer needs: `make run` and `make test`. Everything else is installed here from the lock.
SHELL := /bin/bash
PYTHON ?= python3
PORT ?= 3000
ENV ?= dev
VENV := .venv
TOOLS := .tools
UV := $(TOOLS)/bin/uv
UV_VERSION := 0.13.9
export UV_PYTHON_DOWNLOADS := never
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PYTHONPATH := $(CURDIR)

.PHONY: help install run redrive test test-fast fuzz synth lint format typecheck bench docs clean

help: ## Show the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --all-groups
	@touch $@

install: $(VENV)/.installed ## Create the virtualenv and install the locked dependencies

run: install ## Start the local cloud on http://127.0.0.1:$(PORT)
	PORT=$(PORT) $(VENV)/bin/python -m infra.local

redrive: install ## Dead letters of the running local cloud; QUEUE=<name> (or all) re-drives them
	$(VENV)/bin/python -m infra.local.redrive --gateway http://127.0.0.1:$(PORT) $(QUEUE)

test: install ## Run the whole suite: unit, integration (moto), infra (CDK + cdk-nag), end to end
	$(VENV)/bin/pytest -n 2 --dist loadgroup

fuzz: install ## Fuzz every served OpenAPI document deeper than make test: all phases, more examples, a fresh seed
	FUZZ_PHASES=examples,coverage,fuzzing,stateful FUZZ_MAX_EXAMPLES=$${FUZZ_MAX_EXAMPLES:-50} \
	FUZZ_STATEFUL_STEPS=$${FUZZ_STATEFUL_STEPS:-50} FUZZ_SEED=$${FUZZ_SEED:-$$RANDOM} FUZZ_WORKERS=1 \
	$(VENV)/bin/pytest tests/e2e/test_openapi_fuzz.py -s -p no:cacheprovider

test-fast: install ## Unit and integration tests only
	$(VENV)/bin/pytest tests/unit tests/integration

synth: install ## Synthesize the CDK app offline (cdk-nag runs on every synth)
	ESERVICES_ENV=$(ENV) $(VENV)/bin/python -m infra.cloud.app

lint: install ## ruff and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy shared services infra

format: install ## Format and auto-fix
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: install
	$(VENV)/bin/mypy shared services infra

bench: install ## Benchmarks that print figures (not part of make test)
	$(VENV)/bin/python bench/cold_start.py
	$(VENV)/bin/python bench/booking_contention.py
	$(VENV)/bin/python bench/automatic_decisions.py
	$(VENV)/bin/python bench/permits_automation.py
	$(VENV)/bin/python bench/faults.py
	$(VENV)/bin/python bench/cost.py

docs: install ## Regenerate the committed OpenAPI documents, event schemas and catalog, ADR index, regions page
	$(VENV)/bin/python -m infra.generate_docs

clean: ## Remove the virtualenvs and build output
	rm -rf $(VENV) $(TOOLS) cdk.out .pytest_cache .mypy_cache .ruff_cache .local-cloud
