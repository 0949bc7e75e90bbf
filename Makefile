# rosemeet: `make run` serves the app with demo data, `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
STAMP  := $(VENV)/.installed

.PHONY: run test install lint format translations e2e clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP) translations

translations: $(STAMP)
	$(BIN)/rosemeet translate compile

run: install
	$(BIN)/rosemeet db upgrade
	$(BIN)/rosemeet seed-demo
	@echo ""
	@echo "rosemeet runs on http://127.0.0.1:$(PORT)  (stop with Ctrl+C)"
	@echo "Log in as regisseur@rose.example.org with password rosemeet-demo"
	@echo "The scheduler (mail delivery, horizon, reminders) runs beside it."
	@echo ""
	export ROSEMEET_BASE_URL="$${ROSEMEET_BASE_URL:-http://127.0.0.1:$(PORT)}"; \
	$(BIN)/rosemeet scheduler & SCHEDULER=$$!; \
	trap 'kill $$SCHEDULER 2>/dev/null; wait $$SCHEDULER 2>/dev/null' EXIT INT TERM; \
	$(BIN)/rosemeet run --host 127.0.0.1 --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find . -name '*.mo' -delete
