# Two commands: `make run` (the whole platform, locally) and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-quick lint proto asyncapi deploy bench-quick clean services

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (set PYTHON=...)"; exit 2; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check 'pip>=23' 'setuptools==80.10.2' wheel
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# The stubs are committed; regenerate them after changing proto/ (make test checks they match).
proto: $(STAMP)
	$(BIN)/python -m gateway.protogen

# The event catalogue is committed; regenerate it after changing contracts/ (make test checks it).
asyncapi: $(STAMP)
	$(BIN)/python -m contracts.asyncapi

# The deploy files are rendered from the service registry and committed: render them again
# after adding or removing a service folder or editing deploy/templates (make test checks).
deploy: $(STAMP)
	$(BIN)/python -m crm_ops.deploy

run: $(STAMP)
	$(BIN)/crm up

services:
	@scripts/ensure-local-services

test: $(STAMP) services
	$(BIN)/ruff check .
	$(BIN)/python -m gateway.protogen --check
	$(BIN)/python -m contracts.asyncapi --check
	$(BIN)/python -m crm_ops.deploy --check --validate
	$(BIN)/python -m pytest tests -q --durations=15

# Domain rules and use cases only (SQLite in memory): no RabbitMQ, no PostgreSQL, no processes.
test-quick: $(STAMP)
	$(BIN)/python -m pytest tests -q -m "not integration and not e2e"

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var
