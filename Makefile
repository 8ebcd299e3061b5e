# ssefem bootstrap: `make run` (default case end to end) and `make test` (the test suite).
# Both create .venv from nothing when it is missing. DOLFINx comes from the dolfinx-solver-real wheel.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
CASE ?= cases/default.toml
NP ?= 2
export OMP_NUM_THREADS ?= 1

# Find a Python >= 3.12: names on PATH first, then pyenv's versions. Each candidate is *run*,
# because pyenv shims exist on PATH for versions that cannot be executed.
define find_python
for c in $${PYTHON:-} python3.13 python3.12 python3 python \
         $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]* 2>/dev/null | sort -rV | sed 's|$$|/bin/python3|'); do \
  if [ -n "$$c" ] && "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
    echo "$$c"; exit 0; fi; \
done; \
echo "ssefem needs Python >= 3.12: none found on PATH or under pyenv; set PYTHON=/path/to/python3.12" >&2; exit 1
endef

.PHONY: venv run test test-serial test-mpi bench clean

$(VENV)/.installed: pyproject.toml plugins/space_charge/pyproject.toml
	@py=$$($(find_python)) || exit 1; \
	 if [ ! -x $(PY) ]; then echo "creating $(VENV) with $$py"; "$$py" -m venv $(VENV) || exit 1; fi
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dolfinx,dev,eis]' -e plugins/space_charge
	@touch $@

venv: $(VENV)/.installed

run: venv
	$(VENV)/bin/ssefem run $(CASE)

test: venv test-serial test-mpi

# One pytest process per test file: MPICH allows 2048 communicators per process and every live
# DOLFINx mesh holds several (graph communicators of its index maps: 2048 were gone after 500 to
# 1000 unit-square meshes kept alive); one process for the whole suite ran out after ~270 tests
# and MPI_Abort ended it with exit status 15 ("Too many communicators"). JOBS files at a time
# (default: the cores), each file's output printed whole when it ends; exit 5 ("no tests": an
# MPI-only file) passes.
SERIAL_TESTS = $(sort $(wildcard tests/unit/test_*.py tests/regression/test_*.py tests/verification/test_*.py))
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

test-serial: venv
	@printf '%s\n' $(SERIAL_TESTS) | xargs -P $(JOBS) -I{} sh -c '\
	  out=$$($(VENV)/bin/python -m pytest -q -m "not mpi" -p no:cacheprovider {} 2>&1); rc=$$?; \
	  printf "== %s\n%s\n" {} "$$out"; \
	  if [ $$rc -ne 0 ] && [ $$rc -ne 5 ]; then echo "FAILED: {} (exit $$rc)"; exit 1; fi'

test-mpi: venv
	timeout 1200 $(VENV)/bin/mpiexec -n $(NP) $(VENV)/bin/python -m pytest -q -m mpi -p no:cacheprovider tests/mpi

bench: venv
	$(VENV)/bin/python bench/run.py
	$(VENV)/bin/python bench/elasticity.py
	$(VENV)/bin/python bench/jumps.py
	$(VENV)/bin/python bench/jumps.py --solver gamg
	$(PY) -m pip install -q fipy
	$(VENV)/bin/python bench/npp_vs_fipy.py

clean:
	rm -rf $(VENV) results
