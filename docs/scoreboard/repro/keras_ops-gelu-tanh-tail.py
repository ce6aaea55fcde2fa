"""keras.ops.gelu(x, approximate=True) returns 0 in the left tail, where the tanh formula's value is tiny but
not 0: 0.5 * (1 + tanh(u)) is evaluated in the input's dtype and 1 + tanh(u) rounds to 0.
Exits 1 while the difference holds."""
import os
import sys

os.environ["KERAS_BACKEND"] = "jax"
import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)
import keras  # noqa: E402
import numpy as np  # noqa: E402

x = np.array([-8.073874], dtype=np.float32)
got = float(np.asarray(keras.ops.gelu(x, approximate=True))[0])
x64 = x.astype(np.float64)[0]
u = np.sqrt(2 / np.pi) * (x64 + 0.044715 * x64**3)
want = x64 / (1.0 + np.exp(-2.0 * u))  # 0.5 x (1 + tanh u) = x sigmoid(2u), without the cancellation
rel = abs(got - want) / abs(want)
print(f"keras.ops.gelu(float32 {x[0]}, approximate=True) = {got!r}; float64 reference {want!r}; "
      f"relative error {rel:.3g}")
sys.exit(1 if rel > 1e-3 else 0)
