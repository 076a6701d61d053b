# Fresh machine: `make demo` (set-up + main job) and `make test` (set-up + tests).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_OUT ?= demo-output

.PHONY: demo test test-slow bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.stamp-all: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[all]'
	touch $@

$(VENV)/.stamp-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[all,test,dev]'
	touch $@

demo: $(VENV)/.stamp-all
	$(BIN)/cald demo --out $(DEMO_OUT)

test: $(VENV)/.stamp-test
	$(BIN)/python -m pytest -n 2 -q -m "not slow"

test-slow: $(VENV)/.stamp-test
	$(BIN)/python -m pytest -n 2 -q -m slow

bench: $(VENV)/.stamp-test
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

lint: $(VENV)/.stamp-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy src --ignore-missing-imports

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache build src/*.egg-info
