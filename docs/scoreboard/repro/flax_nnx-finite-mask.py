"""flax's attention on a query row with no allowed key: the catalogue (and PyTorch's convention for padded rows)
gives weights 0 and output 0; flax masks with finfo.min, so the row attends every masked key uniformly. Exits 1
while the fully masked row is not 0."""
import sys

import jax.numpy as jnp
import numpy as np
from flax import nnx
from flax.nnx.nn.attention import dot_product_attention_weights

q = jnp.asarray(np.array([[[[1.0, 0.0]]]], dtype=np.float32))      # (B, L, H, D), one query
k = jnp.asarray(np.array([[[[0.5, 1.0]], [[2.0, -1.0]]]], dtype=np.float32))  # two keys
v = jnp.asarray(np.array([[[[3.0, 1.0]], [[-1.0, 5.0]]]], dtype=np.float32))
mask = jnp.zeros((1, 1, 1, 2), bool)                                 # the query may attend no key

weights = np.asarray(dot_product_attention_weights(q, k, mask=mask))
out = np.asarray(nnx.dot_product_attention(q, k, v, mask=mask))
print(f"dot_product_attention_weights: {weights.ravel()}  (expected [0. 0.])")
print(f"nnx.dot_product_attention:     {out.ravel()}  (expected [0. 0.])")
sys.exit(1 if np.abs(weights).max() > 0 or np.abs(out).max() > 0 else 0)
