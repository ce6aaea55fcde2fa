"""flax.nnx.RMSNorm on a float32 row with |x| above sqrt(float32 max): mean(x^2) overflows to inf and the output
is 0 where x / rms(x) is +-1. Exits 1 while the error exceeds a few float32 roundings."""
import sys

import jax.numpy as jnp
import numpy as np
from flax import nnx

x = np.array([[-6.0e37, 3.0e37]], dtype=np.float32)
eps = 1e-6
layer = nnx.RMSNorm(2, epsilon=eps, use_scale=False, rngs=nnx.Rngs(0))
got = np.asarray(layer(jnp.asarray(x)), dtype=np.float64)

x64 = x.astype(np.float64)
want = x64 / np.sqrt((x64 ** 2).mean(-1, keepdims=True) + eps)
error = np.abs(got - want).max()
allowed = 4 * np.finfo(np.float32).eps * float(np.abs(want).max())
print(f"flax.nnx.RMSNorm:  {got.ravel()}\nfloat64 reference: {want.ravel()}\nmax error {error:.3g} (allowed {allowed:.3g})")
sys.exit(1 if error > allowed else 0)
