"""keras.layers.MultiHeadAttention gives a query row whose keys are all masked (attention_mask row all False) the
uniform average of the value projections instead of 0 (the output is then that average through the output
projection, not the output bias alone). Exits 1 while the difference holds."""
import os
import sys

os.environ["KERAS_BACKEND"] = "jax"
import keras  # noqa: E402
import numpy as np  # noqa: E402

rng = np.random.default_rng(0)
x = rng.standard_normal((1, 2, 4)).astype(np.float32)  # (B, L, d)
layer = keras.layers.MultiHeadAttention(num_heads=1, key_dim=4, use_bias=False)
mask = np.array([[[False, False], [True, True]]])  # query 0 may attend no key
out = np.asarray(layer(x, x, attention_mask=mask))[0, 0]
print(f"output of the fully masked query: {out}; expected zeros")
sys.exit(0 if np.allclose(out, 0.0) else 1)
