# Two commands matter: `make run` (the bot, or the REPL without a token) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench bench-load bench-quality train clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/norfolk run

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_retrieval.py

bench-load: $(STAMP)
	$(BIN)/python benchmarks/bench_load.py

bench-quality: $(STAMP)
	$(BIN)/python benchmarks/bench_quality.py --ablation

train: $(STAMP)
	$(BIN)/python training/fit.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .cache
