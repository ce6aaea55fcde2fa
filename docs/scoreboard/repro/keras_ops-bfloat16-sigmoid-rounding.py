"""keras.ops.sigmoid (JAX backend: lax.logistic = 1 / (1 + exp(-x))) on bfloat16 rounds exp, the sum and the
quotient to bfloat16 each: 0.30859375 at x = -0.80078125 where the correctly rounded value is 0.310546875 (the
float32 computation rounded once). Exits 1 while the difference holds."""
import os
import sys

os.environ["KERAS_BACKEND"] = "jax"
import keras  # noqa: E402
import ml_dtypes  # noqa: E402
import numpy as np  # noqa: E402

x = np.array([-0.80078125], dtype=ml_dtypes.bfloat16)
got = float(np.asarray(keras.ops.sigmoid(x)).astype(np.float64)[0])
want = 1.0 / (1.0 + np.exp(0.80078125))
rounded = float(np.array([want]).astype(ml_dtypes.bfloat16).astype(np.float64)[0])
print(f"keras.ops.sigmoid(bfloat16 -0.80078125) = {got!r}; float64 reference {want!r} (bfloat16: {rounded!r})")
sys.exit(1 if got != rounded else 0)
