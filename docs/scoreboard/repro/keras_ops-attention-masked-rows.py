"""keras.ops.dot_product_attention (JAX backend: jax.nn.dot_product_attention) gives a query row whose keys are all
masked the uniform average of the values instead of 0. Exits 1 while the difference holds."""
import os
import sys

os.environ["KERAS_BACKEND"] = "jax"
import keras  # noqa: E402
import numpy as np  # noqa: E402

rng = np.random.default_rng(0)
q, k, v = (rng.standard_normal((1, n, 1, 4)).astype(np.float32) for n in (2, 3, 3))  # (B, L, H, D)
mask = np.ones((1, 1, 2, 3), dtype=bool)
mask[0, 0, 0, :] = False  # query 0 may attend no key
out = np.asarray(keras.ops.dot_product_attention(q, k, v, mask=mask))[0, 0, 0]
print(f"fully masked row: {out}; the mean of the values: {v[0, :, 0].mean(0)}; expected zeros")
sys.exit(0 if np.all(out == 0) else 1)
