# Fresh machine: `make demo` (set-up + main job) and `make test` (set-up + tests).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_OUT ?= demo-output

.PHONY: demo test test-slow bench lint clean docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.stamp-all: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[all]'
	touch $@

$(VENV)/.stamp-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[all,test,dev]'
	touch $@

# The documentation site (Sphinx, numpydoc, sphinx-gallery; docs/conf.py): built with warnings as
# errors and nitpicky cross-references, then opened in headless chromium (tests/test_docs_site.py).
$(VENV)/.stamp-docs: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[all,test,docs]'
	touch $@

docs: $(VENV)/.stamp-docs
	$(BIN)/python -m sphinx -W --keep-going -n -b html docs docs/_build/html
	$(BIN)/python -m pytest -q -m docs tests/test_docs_site.py

demo: $(VENV)/.stamp-all
	$(BIN)/cald demo --out $(DEMO_OUT)

test: $(VENV)/.stamp-test
	$(BIN)/python -m pytest -n 2 -q -m "not slow"

test-slow: $(VENV)/.stamp-test
	$(BIN)/python -m pytest -n 2 -q -m "slow and not docs"

bench: $(VENV)/.stamp-test
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

lint: $(VENV)/.stamp-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy src --ignore-missing-imports

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache build src/*.egg-info docs/_build docs/generated docs/auto_examples
