"""nnx.gelu(approximate=True) in float32 at x = -8: 1 + tanh(u) cancels to 0, so the output is 0 where the tanh
formula's value is -1e-21. Exits 1 while the relative error exceeds a few float32 roundings."""
import sys

import jax.numpy as jnp
import numpy as np
from flax import nnx

x = np.float32(-8.073874)
got = float(nnx.gelu(jnp.asarray(x), approximate=True))
x64 = np.float64(x)
u = np.sqrt(2 / np.pi) * (x64 + 0.044715 * x64 ** 3)
want = 0.5 * x64 * np.exp(u) / np.cosh(u)  # x/2 (1 + tanh u) without the cancellation: 1 + tanh u = e^u / cosh u
error = abs(got - want) / abs(want)
print(f"nnx.gelu(approximate=True): {got}\nfloat64 reference:          {want:.6g}\nrelative error {error:.3g}")
sys.exit(1 if error > 8 * np.finfo(np.float32).eps else 0)
