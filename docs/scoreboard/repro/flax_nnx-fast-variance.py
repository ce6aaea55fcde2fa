"""flax.nnx.LayerNorm (default use_fast_variance=True) on a float32 row with a large offset: the variance
mean(x^2) - mean(x)^2 cancels. Exits 1 while the error exceeds a few float32 roundings times the condition
number 1 + |mean| / std of the row."""
import sys

import jax.numpy as jnp
import numpy as np
from flax import nnx

x = np.array([[99.944855, 99.849731, 100.008652]], dtype=np.float32)
eps = 1e-5
layer = nnx.LayerNorm(3, epsilon=eps, use_scale=False, use_bias=False, rngs=nnx.Rngs(0))
got = np.asarray(layer(jnp.asarray(x)), dtype=np.float64)

x64 = x.astype(np.float64)
mean, var = x64.mean(-1, keepdims=True), x64.var(-1, keepdims=True)
want = (x64 - mean) / np.sqrt(var + eps)
error = np.abs(got - want).max()
allowed = 4 * np.finfo(np.float32).eps * float((1 + np.abs(mean) / np.sqrt(var + eps)).max())
print(f"flax.nnx.LayerNorm: {got.ravel()}\nfloat64 reference:  {want.ravel()}\nmax error {error:.3g} "
      f"(allowed {allowed:.3g})")
sys.exit(1 if error > allowed else 0)
