"""keras.ops.gelu(x, approximate=False) (JAX backend: jax.nn.gelu, 0.5 x erfc(-x / sqrt 2)) on bfloat16 rounds the
erfc argument to bfloat16 first; erfc's relative condition number at z is ~2 z^2, so in the tail the result is
off by far more than an ulp (36% at x = -12.25 here). Exits 1 while the difference holds."""
import math
import os
import sys

os.environ["KERAS_BACKEND"] = "jax"
import keras  # noqa: E402
import ml_dtypes  # noqa: E402
import numpy as np  # noqa: E402

x = np.array([-12.25], dtype=ml_dtypes.bfloat16)
got = float(np.asarray(keras.ops.gelu(x, approximate=False)).astype(np.float64)[0])
want = 0.5 * -12.25 * math.erfc(12.25 / math.sqrt(2.0))
rel = abs(got - want) / abs(want)
print(f"keras.ops.gelu(bfloat16 -12.25, approximate=False) = {got!r}; float64 reference {want!r}; "
      f"relative error {rel:.3g} (bfloat16 half-ulp: 0.0039)")
sys.exit(1 if rel > 2 ** -8 else 0)
