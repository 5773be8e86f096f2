# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip

.PHONY: run test test-process fuzz bench package test-packaging clean catalogs i18n-update

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

# Stamp files re-run the install only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install -q -e '.[i18n]'
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PIP) install -q -e '.[test,i18n]'
	# PyTorch is an optional reference for parity tests; the CPU wheel lies on local disk.
	-$(PIP) install -q torch==2.13.0 2>/dev/null || echo "torch not installed: PyTorch parity tests will be skipped"
	touch $(VENV)/.installed $@

$(VENV)/.installed-packaging: pyproject.toml | $(PY)
	$(PIP) install -q -e '.[packaging,i18n]'
	touch $@

# Translations: the sources (.po for the engine and the CLI, .ts for the UI) are in the
# repository; the compiled catalogs (.mo, .qm) are built here, whenever a source is newer.
# After adding strings to the code: `make i18n-update`, translate the new entries, commit.
CATALOG_PO := $(wildcard engine/locale/*/LC_MESSAGES/nn-playground.po)
CATALOG_TS := $(wildcard playground/locale/nn-playground_*.ts)
CATALOGS   := $(CATALOG_PO:.po=.mo) $(CATALOG_TS:.ts=.qm)

%.mo: %.po | $(VENV)/.installed
	$(PY) -m playground.i18n compile
%.qm: %.ts | $(VENV)/.installed
	$(PY) -m playground.i18n compile

catalogs: $(CATALOGS)

i18n-update: $(VENV)/.installed
	$(PY) -m playground.i18n update

run: $(VENV)/.installed $(CATALOGS)
	$(VENV)/bin/playground

# Two worker processes (pytest-xdist): CI's two cores, about 9½ minutes (twice that with one).
test: $(VENV)/.installed-test $(CATALOGS)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -n 2

# The fuzzers and soak runs of make test, long: tens of thousands of cases; each prints
# a "[fuzz] name: ..." line with its figures (quoted in the README).
fuzz: $(VENV)/.installed-test
	NNPG_FUZZ=1 QT_QPA_PLATFORM=offscreen $(PY) -m pytest -o addopts="-q -p no:cacheprovider" -m "fuzz or soak" --timeout=0 -s tests

# The GUI tests with training in a process of its own, as the app trains (make test runs
# the worker in a thread, where it is cheaper to start; tests/gui/test_runner.py and
# test_training_process.py run the process there too).
test-process: $(VENV)/.installed-test $(CATALOGS)
	NNPG_TRAINING=process QT_QPA_PLATFORM=offscreen $(PY) -m pytest -n 2 tests/gui

bench: $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(PY) -m tests.benchmarks.run

package: $(VENV)/.installed-packaging $(CATALOGS)
	$(PY) packaging/build.py --selftest

test-packaging: $(VENV)/.installed-test $(VENV)/.installed-packaging
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m packaging tests/packaging

clean:
	rm -rf build dist packaging/build packaging/dist
