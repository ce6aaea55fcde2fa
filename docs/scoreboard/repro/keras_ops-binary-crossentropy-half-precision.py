"""keras.ops.binary_crossentropy(from_logits=True) on float16/bfloat16 evaluates -t log_sigmoid(x) - (1 - t)
log_sigmoid(-x) in the half-precision dtype: five roundings of O(1) terms give ~2 ulps of error where one
rounding of a float32-accumulated result gives half an ulp. Exits 1 while the difference holds."""
import os
import sys

os.environ["KERAS_BACKEND"] = "jax"
import keras  # noqa: E402
import numpy as np  # noqa: E402

x = np.array([0.004051], dtype=np.float16)
t = np.array([0.41333], dtype=np.float16)
got = float(np.asarray(keras.ops.binary_crossentropy(t, x, from_logits=True))[0])
x64, t64 = float(x[0]), float(t[0])
want = max(x64, 0.0) - x64 * t64 + np.log1p(np.exp(-abs(x64)))
ulp = float(np.spacing(np.float16(want)))
print(f"float16 BCE with logits at x={x64}, t={t64}: {got!r}; float64 reference {want!r}; "
      f"error {abs(got - want) / ulp:.2f} float16 ulps")
sys.exit(1 if abs(got - want) > ulp else 0)
