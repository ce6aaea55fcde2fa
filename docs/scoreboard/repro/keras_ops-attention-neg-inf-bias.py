"""keras.ops.dot_product_attention adds the bias to the logits without treating -inf as a mask: a query row whose
logits are all -inf through the bias comes back NaN (the catalogue: a row with no finite allowed logit is 0).
Exits 1 while the difference holds."""
import os
import sys

os.environ["KERAS_BACKEND"] = "jax"
import keras  # noqa: E402
import numpy as np  # noqa: E402

rng = np.random.default_rng(0)
q, k, v = (rng.standard_normal((1, n, 1, 4)).astype(np.float32) for n in (2, 3, 3))  # (B, L, H, D)
bias = np.zeros((1, 1, 2, 3), dtype=np.float32)
bias[0, 0, 0, :] = -np.inf  # query 0: every logit -inf
out = np.asarray(keras.ops.dot_product_attention(q, k, v, bias=bias))[0, 0, 0]
print(f"row with an all -inf bias: {out}; expected zeros")
sys.exit(0 if np.all(out == 0) else 1)
