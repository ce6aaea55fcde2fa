#!/usr/bin/env bash
# One GPU session (docs/gpu.md): the suite's GPU tests, the torch and JAX implementations verified on CUDA under
# ci, and on the spare cores a thorough CPU run of numpy, torch and jax. Results go under $OUT (the device tool's
# folder; set it elsewhere). Uses the machine's own torch, jax and Hypothesis.
set -u
cd "$(dirname "$0")/../.."
export PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
python3 - > "$OUT/versions.txt" 2>&1 <<'PY'
import sys, torch, jax, numpy, hypothesis, pytest
print(sys.version); print("torch", torch.__version__, torch.cuda.get_device_name(0))
print("jax", jax.__version__, jax.devices()); print("numpy", numpy.__version__, "hypothesis", hypothesis.__version__,
      "pytest", pytest.__version__)
PY
cat "$OUT/versions.txt"
# GPU: tests/test_device.py, then the ci profile over torch, jax and the natives placed on CUDA
( XLA_PYTHON_CLIENT_PREALLOCATE=false timeout 60 python3 -m pytest tests/test_device.py -p no:cacheprovider -q \
      > "$OUT/test_device.log" 2>&1
  XLA_PYTHON_CLIENT_PREALLOCATE=false CI=true timeout 440 python3 -m pytest properties -p no:cacheprovider -q \
      -n 6 --device cuda --only-impls torch,jax,torch_native,jax_native --hypothesis-profile=ci \
      --report-json "$OUT/gpu.json" --report-html '' > "$OUT/gpu.log" 2>&1 ) &
# CPU: thorough (400 examples a check) over numpy, torch and jax, random seed
( JAX_PLATFORMS=cpu CUDA_VISIBLE_DEVICES= timeout 500 python3 -m pytest properties -p no:cacheprovider -q \
      -n 10 --only-impls numpy,torch,jax --hypothesis-profile=thorough \
      --report-json "$OUT/thorough.json" --report-html '' > "$OUT/thorough.log" 2>&1 ) &
wait
tail -n 5 "$OUT/test_device.log" "$OUT/gpu.log" "$OUT/thorough.log"
ls -la "$OUT"
