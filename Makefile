# Two commands matter: `make run` (the bot, or the REPL without a token) and `make test`.
# Each sets up .venv from a fresh clone: `run` with the runtime dependencies only, `test`
# adds the development tools (pytest, hypothesis, ruff) on top.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.installed-runtime
DEV := $(VENV)/.installed-dev

.PHONY: run test lint bench bench-load bench-workers bench-quality train clean

$(RUNTIME): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUNTIME)

$(DEV): $(RUNTIME)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(DEV)

run: $(RUNTIME)
	$(BIN)/norfolk run

test: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

lint: $(DEV)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(DEV)
	$(BIN)/python benchmarks/bench_retrieval.py

bench-load: $(DEV)
	$(BIN)/python benchmarks/bench_load.py

bench-workers: $(DEV)
	$(BIN)/python benchmarks/bench_workers.py

bench-quality: $(RUNTIME)
	$(BIN)/python benchmarks/bench_quality.py --ablation

train: $(RUNTIME)
	$(BIN)/python training/fit.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .cache
