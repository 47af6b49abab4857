# One command per job. Each target creates .venv if it is missing and installs into it.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: install test test-fast test-tf test-jax demo build bench clean

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $@

# The whole suite under TensorFlow (the default backend), then the backend-sensitive part
# (autodiff, trainers) again under JAX, the backend of the GPU graders.
test: test-tf test-jax

# The development loop: no build, no training beyond a few steps (tests that need the built zips,
# the notebooks or the convergence runs are marked slow). Under 3 minutes on a 2-core CPU.
test-fast: $(STAMP)
	KERAS_BACKEND=tensorflow $(PY) -m pytest -q -m "not slow" $(PYTEST_ARGS)

test-tf: $(STAMP)
	KERAS_BACKEND=tensorflow $(PY) -m pytest -q $(PYTEST_ARGS)

test-jax: $(STAMP)
	KERAS_BACKEND=jax $(PY) -m pytest -q -m "not slow" $(PYTEST_ARGS) tests/test_autodiff.py tests/test_train.py tests/test_estimator.py

demo: $(STAMP)
	$(PY) -m wganlab demo --out out/demo

build: $(STAMP)
	$(PY) -m wganlab build

bench: $(STAMP)
	$(PY) -m wganlab bench --out out/bench.csv

clean:
	rm -rf dist out .pytest_cache
