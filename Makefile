# One command per job. Each target creates .venv if it is missing and installs into it.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: install test test-fast test-tf test-jax test-torch demo build bench clean

install: $(STAMP)

$(STAMP): requirements.txt requirements-torch.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt -r requirements-torch.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $@

# The whole suite under TensorFlow (the default backend), then the backend-sensitive part under
# JAX (the backend of the GPU graders) and PyTorch: autodiff and trainers, and the hidden checks
# on the reference and the variant corpus. The TensorFlow run builds the autograder zips into
# SHARED_BUILD; the other two grade with those zips (tests/conftest.py, WGANLAB_TEST_BUILD).
# The three runs go one after the other, also under make -j: JAX and torch need the finished build.
SHARED_BUILD ?=
BACKEND_TESTS := tests/test_autodiff.py tests/test_train.py tests/test_estimator.py tests/test_variants.py

test: $(STAMP)
	rm -rf out/test-build
	$(MAKE) test-tf SHARED_BUILD=$(CURDIR)/out/test-build
	$(MAKE) test-jax SHARED_BUILD=$(CURDIR)/out/test-build
	$(MAKE) test-torch SHARED_BUILD=$(CURDIR)/out/test-build

# The development loop: no build, no training beyond a few steps (tests that need the built zips
# are marked needs_build; the notebooks and convergence runs slow). Under 3 minutes on a 2-core CPU.
test-fast: $(STAMP)
	KERAS_BACKEND=tensorflow $(PY) -m pytest -q -m "not slow and not needs_build" $(PYTEST_ARGS)

test-tf: $(STAMP)
	WGANLAB_TEST_BUILD=$(SHARED_BUILD) KERAS_BACKEND=tensorflow $(PY) -m pytest -q $(PYTEST_ARGS)

test-jax: $(STAMP)
	WGANLAB_TEST_BUILD=$(SHARED_BUILD) KERAS_BACKEND=jax $(PY) -m pytest -q -m "not slow" $(PYTEST_ARGS) $(BACKEND_TESTS)

test-torch: $(STAMP)
	WGANLAB_TEST_BUILD=$(SHARED_BUILD) KERAS_BACKEND=torch $(PY) -m pytest -q -m "not slow" $(PYTEST_ARGS) $(BACKEND_TESTS)

demo: $(STAMP)
	$(PY) -m wganlab demo --out out/demo

build: $(STAMP)
	$(PY) -m wganlab build

bench: $(STAMP)
	$(PY) -m wganlab bench --out out/bench.csv

clean:
	rm -rf dist out .pytest_cache
