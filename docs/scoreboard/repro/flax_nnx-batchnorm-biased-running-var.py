"""flax.nnx.BatchNorm in training mode: the running variance takes the biased batch variance (PyTorch's
convention, the catalogue's, takes the unbiased n / (n - 1) times it). momentum=0.0 in flax terms replaces the
running statistics by the batch's. Exits 1 while the new running variance is not the unbiased batch variance."""
import sys

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

jax.config.update("jax_enable_x64", True)  # float64 throughout: only the convention differs

x = np.array([[1.0], [3.0]])  # 2 values in the one channel: biased variance 1, unbiased 2
layer = nnx.BatchNorm(1, momentum=0.0, param_dtype=jnp.float64, dtype=jnp.float64, rngs=nnx.Rngs(0))
layer(jnp.asarray(x), use_running_average=False)
got = float(layer.var[...][0])

want = float(x.var(axis=0, ddof=1)[0])
print(f"flax.nnx.BatchNorm running var: {got}\nunbiased batch variance:        {want}\nerror {abs(got - want):.3g}")
sys.exit(1 if abs(got - want) > 4 * np.finfo(np.float32).eps * want else 0)
