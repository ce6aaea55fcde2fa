"""nnx.log_softmax in float32 of [10.956332, 9.59954, 27.320107]: the last entry is -log(1 + 9.8e-8) = -9.84e-8,
but log(sum(exp(shifted))) rounds the sum to 1 + 1.19e-7 first. Exits 1 while the relative error exceeds a few
float32 roundings."""
import sys

import jax.numpy as jnp
import numpy as np
from flax import nnx

x = np.array([10.956332, 9.59954, 27.320107], dtype=np.float32)
got = float(nnx.log_softmax(jnp.asarray(x))[2])
x64 = x.astype(np.float64)
rest = np.exp(x64[:2] - x64[2]).sum()
want = -np.log1p(rest)
error = abs(got - want) / abs(want)
print(f"nnx.log_softmax(x)[2]: {got!r}\nfloat64 reference:     {want!r}\nrelative error {error:.3g}")
sys.exit(1 if error > 4 * np.finfo(np.float32).eps else 0)
