"""Keras on the JAX backend computes float64 inputs in float32, also with jax_enable_x64 on: its dtype
promotion (keras.src.backend.common.dtypes.result_type) maps every 64-bit result to 32 bits. keras.ops.tanh of a
float64 array returns float32; keras.ops.layer_normalization computes in float32 and casts back to float64.
Exits 1 while the difference holds."""
import os
import sys

os.environ["KERAS_BACKEND"] = "jax"
import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)
import keras  # noqa: E402
import numpy as np  # noqa: E402

x = jax.numpy.asarray(np.array([0.5, 1.0, 1.5, 2.0], dtype=np.float64))
t = keras.ops.tanh(x)
t_err = float(np.max(np.abs(np.asarray(t, np.float64) - np.tanh(np.asarray(x)))))
print(f"keras.ops.tanh(float64) has dtype {t.dtype}; max error {t_err:.3g} (float64 eps 2.2e-16)")
y = np.asarray(keras.ops.layer_normalization(x, epsilon=1e-5))
xs = np.asarray(x)
want = (xs - xs.mean()) / np.sqrt(xs.var() + 1e-5)
ln_err = float(np.max(np.abs(y - want)))
print(f"keras.ops.layer_normalization(float64) has dtype {y.dtype}; max error {ln_err:.3g}")
sys.exit(1 if t.dtype != np.float64 or ln_err > 1e-12 else 0)
