# Two entry points on a fresh machine: `make crawl` and `make test`. Each sets itself up.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: setup crawl test serve run bench clean

$(BIN)/newsarchive: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,cluster]'
	touch $@

setup: $(BIN)/newsarchive

crawl: setup
	$(BIN)/newsarchive crawl --config sites.toml --db archive.db

serve: setup
	$(BIN)/newsarchive serve --db archive.db

run: setup
	$(BIN)/newsarchive run --config sites.toml --db archive.db

test: setup
	$(BIN)/python -m pytest -q -n 3

bench: setup
	$(BIN)/python bench/crawl_speed.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
