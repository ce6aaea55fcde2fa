"""eqx.nn.LayerNorm on a float32 row with |x| above sqrt(float32 max): the variance of the unscaled values
overflows to inf and the whole row comes back 0 where the normalised values are about +-1.4. Exits 1 while the
error exceeds a few float32 roundings."""
import sys

import equinox as eqx
import jax.numpy as jnp
import numpy as np

x = np.array([-2.371678e37, 0.7441864, 0.5696101], dtype=np.float32)
eps = 1e-5
layer = eqx.nn.LayerNorm(3, eps, use_weight=False, use_bias=False)
got = np.asarray(layer(jnp.asarray(x)), dtype=np.float64)

x64 = x.astype(np.float64)
want = (x64 - x64.mean()) / np.sqrt(x64.var() + eps)
error = np.abs(got - want).max()
allowed = 4 * np.finfo(np.float32).eps * float(1 + np.abs(x64.mean()) / np.sqrt(x64.var() + eps))
print(f"eqx.nn.LayerNorm:  {got}\nfloat64 reference: {want}\nmax error {error:.3g} (allowed {allowed:.3g})")
sys.exit(1 if error > allowed else 0)
