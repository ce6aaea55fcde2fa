"""eqx.nn.MultiheadAttention on a query that may attend no key (its mask row all False): the row attends every
masked key uniformly instead of giving 0. Exits 1 while the fully masked row's output is not 0."""
import sys

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

layer = eqx.nn.MultiheadAttention(num_heads=1, query_size=2, key=jax.random.key(0))
x = jnp.asarray(np.array([[1.0, 0.0], [0.5, -1.0]], dtype=np.float32))   # (L, d), one sequence
mask = jnp.asarray(np.array([[False, False], [True, True]]))             # query 0 may attend no key

out = np.asarray(layer(x, x, x, mask=mask))
print(f"eqx.nn.MultiheadAttention, fully masked query row: {out[0]}  (expected [0. 0.])")
sys.exit(1 if np.abs(out[0]).max() > 0 else 0)
