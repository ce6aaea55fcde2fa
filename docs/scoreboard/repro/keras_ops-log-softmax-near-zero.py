"""keras.ops.log_softmax (JAX backend: jax.nn.log_softmax) computes x - max - log(sum(exp(x - max))): for the
dominant entry the result is -log(1 + s) with s the other terms' tiny sum, and log of the rounded 1 + s loses s's
digits (0 or -1.2e-7 instead of -9.8e-8 in float32; log1p(s) keeps them). Exits 1 while the difference holds."""
import os
import sys

os.environ["KERAS_BACKEND"] = "jax"
import keras  # noqa: E402
import numpy as np  # noqa: E402

x = np.array([10.956332, 9.59954, 27.320107], dtype=np.float32)
got = float(np.asarray(keras.ops.log_softmax(x))[2])
x64 = x.astype(np.float64)
want = -np.log1p(np.exp(x64[:2] - x64[2]).sum())
rel = abs(got - want) / abs(want)
print(f"keras.ops.log_softmax(float32 {x})[2] = {got!r}; float64 reference {want!r}; relative error {rel:.3g}")
sys.exit(1 if rel > 1e-5 else 0)
