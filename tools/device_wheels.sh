#!/usr/bin/env bash
# Fill .whl/ (git-ignored) with the cp312 wheels the GPU machine lacks, for tools/device_measure.sh.
# The device has JAX, NumPy, SciPy, matplotlib, scikit-learn... but no Keras (nor TensorFlow) and
# no internet; see ../.library/device/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
rm -rf .whl && mkdir -p .whl
platforms=(--platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64
           --platform manylinux2014_x86_64 --platform manylinux1_x86_64)
keras=$($PY -c "import keras; print(keras.__version__)")
$PY -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp "${platforms[@]}" \
    -d .whl "keras==$keras" namex optree mlxtend pot
ls -la .whl
