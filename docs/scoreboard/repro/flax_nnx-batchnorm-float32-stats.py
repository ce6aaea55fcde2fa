"""flax.nnx.BatchNorm with dtype=param_dtype=float64 in eval mode: the running statistics assigned to it are
stored in float32, so the output carries float32 errors. Exits 1 while the error exceeds a few float64 roundings
of the output."""
import sys

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

jax.config.update("jax_enable_x64", True)

x = np.array([[-0.551485]])
mean, var, eps = np.array([2.344553]), np.array([0.17]), 1e-5
layer = nnx.BatchNorm(1, use_running_average=True, epsilon=eps, use_scale=False, use_bias=False,
                      param_dtype=jnp.float64, dtype=jnp.float64, rngs=nnx.Rngs(0))
layer.mean[...] = jnp.asarray(mean)
layer.var[...] = jnp.asarray(var)
got = np.asarray(layer(jnp.asarray(x)))

want = (x - mean) / np.sqrt(var + eps)
error = float(np.abs(got - want).max())
allowed = 8 * np.finfo(np.float64).eps * float(np.abs(want).max() + np.abs(mean).max() / np.sqrt(var + eps).min())
print(f"running mean stored as {layer.mean[...].dtype}\nflax.nnx.BatchNorm: {got.ravel()}\n"
      f"float64 reference:  {want.ravel()}\nerror {error:.3g} (allowed {allowed:.3g})")
sys.exit(1 if error > allowed else 0)
