"""keras.ops.sigmoid (and silu = x * sigmoid(x)) on float16 computes 1 / (1 + exp(-x)) in float16: exp(-x)
overflows for x < -11.09 and the result is 0 where the true value is a float16 subnormal (6e-8 .. 1.5e-5).
Exits 1 while the difference holds."""
import os
import sys

os.environ["KERAS_BACKEND"] = "jax"
import keras  # noqa: E402
import numpy as np  # noqa: E402

x = np.array([-12.0], dtype=np.float16)
got = float(np.asarray(keras.ops.sigmoid(x))[0])
want = 1.0 / (1.0 + np.exp(12.0))  # float64
rounded = float(np.float16(want))  # the best float16 answer
print(f"keras.ops.sigmoid(float16 -12) = {got!r}; float64 reference {want!r} (float16: {rounded!r}); "
      f"relative error {abs(got - want) / want:.3g}")
sys.exit(1 if got != rounded else 0)
