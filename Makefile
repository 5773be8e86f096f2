# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip

.PHONY: run test fuzz bench package test-packaging clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

# Stamp files re-run the install only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PIP) install -q -e '.[test]'
	# PyTorch is an optional reference for parity tests; the CPU wheel lies on local disk.
	-$(PIP) install -q torch==2.13.0 2>/dev/null || echo "torch not installed: PyTorch parity tests will be skipped"
	touch $(VENV)/.installed $@

$(VENV)/.installed-packaging: pyproject.toml | $(PY)
	$(PIP) install -q -e '.[packaging]'
	touch $@

run: $(VENV)/.installed
	$(VENV)/bin/playground

test: $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

# The fuzzers and soak runs of make test, long: tens of thousands of cases; each prints
# a "[fuzz] name: ..." line with its figures (quoted in the README).
fuzz: $(VENV)/.installed-test
	NNPG_FUZZ=1 QT_QPA_PLATFORM=offscreen $(PY) -m pytest -o addopts="-q -p no:cacheprovider" -m "fuzz or soak" --timeout=0 -s tests

bench: $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(PY) -m tests.benchmarks.run

package: $(VENV)/.installed-packaging
	$(PY) packaging/build.py --selftest

test-packaging: $(VENV)/.installed-test $(VENV)/.installed-packaging
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m packaging tests/packaging

clean:
	rm -rf build dist packaging/build packaging/dist
