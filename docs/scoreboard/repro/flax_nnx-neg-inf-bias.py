"""flax's attention with an additive bias of -inf on every key of a row (a padding mask written as a bias, as
its docstring suggests): the row comes back NaN; the catalogue treats -inf as a masked key (row 0). Exits 1 while
the output is not finite."""
import sys

import jax.numpy as jnp
import numpy as np
from flax import nnx

q = jnp.asarray(np.array([[[[1.0, 0.0]]]], dtype=np.float32))
k = jnp.asarray(np.array([[[[0.5, 1.0]], [[2.0, -1.0]]]], dtype=np.float32))
v = jnp.asarray(np.array([[[[3.0, 1.0]], [[-1.0, 5.0]]]], dtype=np.float32))
bias = jnp.full((1, 1, 1, 2), -jnp.inf, jnp.float32)

out = np.asarray(nnx.dot_product_attention(q, k, v, bias=bias))
print(f"nnx.dot_product_attention(bias=-inf): {out.ravel()}  (expected [0. 0.])")
sys.exit(0 if np.isfinite(out).all() and np.abs(out).max() == 0 else 1)
