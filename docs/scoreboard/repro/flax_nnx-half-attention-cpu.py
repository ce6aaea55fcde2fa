"""nnx.dot_product_attention with float16 inputs, jitted (as a model runs), on CPU raises: XLA:CPU rejects the
float32-accumulating dot that jax.nn.dot_product_attention asks for (called eagerly it runs). Exits 1 while it raises or differs from the float64 NumPy reference by
more than a few float16 roundings."""
import sys

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

q = np.array([[[[1.0, 0.0]]]], dtype=np.float16)
k = np.array([[[[0.5, 1.0]], [[2.0, -1.0]]]], dtype=np.float16)
v = np.array([[[[3.0, 1.0]], [[-1.0, 5.0]]]], dtype=np.float16)

s = np.einsum("bqhd,bkhd->bhqk", q.astype(np.float64), k.astype(np.float64)) / np.sqrt(2)
p = np.exp(s - s.max(-1, keepdims=True))
want = np.einsum("bhqk,bkhd->bqhd", p / p.sum(-1, keepdims=True), v.astype(np.float64))
print(f"platform {jax.default_backend()}; float64 reference {want.ravel()}")
try:
    attend = jax.jit(lambda q, k, v: nnx.dot_product_attention(q, k, v))
    got = np.asarray(attend(jnp.asarray(q), jnp.asarray(k), jnp.asarray(v)), dtype=np.float64)
except Exception as error:  # the failure this script shows
    print(f"nnx.dot_product_attention(float16) raised {type(error).__name__}: {str(error).splitlines()[0]}")
    sys.exit(1)
error = np.abs(got - want).max()
print(f"nnx.dot_product_attention(float16): {got.ravel()}; error {error:.3g}")
sys.exit(1 if error > 4 * np.finfo(np.float16).eps * np.abs(want).max() else 0)
