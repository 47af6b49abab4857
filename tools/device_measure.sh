#!/usr/bin/env bash
# The GPU figures NOTES.md still lacks (issues 4 and 6), in one call of the `device` tool:
#   here:   tools/device_wheels.sh
#           wganlab prepare-celeba ../shared/data/celeba_first10k_89x109.zip --out .cache/celeba_gray32.npz --n 10000 --size 32
#   then:   run(command="bash tools/device_measure.sh", carry=[".whl", ".cache"], timeout_s=600)
# It writes under $OUT: device.txt, mnist_gpu.jsonl, faces_gpu.jsonl (the seed sweeps of
# tools/convergence_sweep.py at the GPU schedule: reference and broken variants, time per run)
# and bench_gpu.csv (wganlab bench, batch 64 and 1024). Summarise the sweeps with
# tools/summarise_sweep.py. SKIP_INSTALL=1, SEEDS, MNIST_STEPS, FACES_STEPS and BENCH_ARGS let
# the plumbing be tried on a CPU first (with small numbers).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:?set OUT to the folder for the results}
if [ -z "${SKIP_INSTALL:-}" ]; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
  export PYTHONPATH=/tmp/site:$PWD
  PYTHON=python3
else
  PYTHON=${PYTHON:-.venv/bin/python}
fi
# Grading uses the CPU schedule everywhere; the sweeps here measure the GPU schedule explicitly.
export WGANLAB_SCHEDULE=gpu KERAS_BACKEND=jax PYTHONUNBUFFERED=1 WGANLAB_CACHE=${WGANLAB_CACHE:-/tmp/wganlab-cache}
SEEDS=${SEEDS:-5}
(nvidia-smi -L 2>/dev/null || echo "no nvidia-smi"; $PYTHON -c "import jax; print(jax.devices())") | tee "$OUT/device.txt"
start=$(date +%s)
timeout 240 $PYTHON tools/convergence_sweep.py mnist 0 "$SEEDS" "$OUT/mnist_gpu.jsonl" "${MNIST_STEPS:-3000}"
echo "mnist sweep: $(( $(date +%s) - start )) s" | tee -a "$OUT/device.txt"
start=$(date +%s)
timeout 180 $PYTHON tools/convergence_sweep.py faces 0 "$SEEDS" "$OUT/faces_gpu.jsonl" .cache/celeba_gray32.npz "${FACES_STEPS:-2000}"
echo "faces sweep: $(( $(date +%s) - start )) s" | tee -a "$OUT/device.txt"
timeout 150 $PYTHON -m wganlab bench ${BENCH_ARGS:---batch 64 1024} --out "$OUT/bench_gpu.csv"
