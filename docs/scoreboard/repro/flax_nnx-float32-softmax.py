"""nnx.dot_product_attention with float64 inputs: the softmax runs in float32, so the output is off by ~1e-7
relative where float64 allows ~1e-15. Exits 1 while the error exceeds a few float64 roundings of the logits'
magnitude."""
import sys

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

jax.config.update("jax_enable_x64", True)

rng = np.random.default_rng(0)
q, k, v = (rng.standard_normal((1, 4, 1, 8)) * 3 for _ in range(3))  # (B, L, H, D), logits ~ 10

got = np.asarray(nnx.dot_product_attention(jnp.asarray(q), jnp.asarray(k), jnp.asarray(v)))
s = np.einsum("bqhd,bkhd->bhqk", q, k) / np.sqrt(8)
p = np.exp(s - s.max(-1, keepdims=True))
want = np.einsum("bhqk,bkhd->bqhd", p / p.sum(-1, keepdims=True), v)
error = np.abs(got - want).max()
allowed = 16 * np.finfo(np.float64).eps * np.abs(s).max() * np.abs(v).max()
print(f"output dtype {got.dtype}; max error {error:.3g} vs float64 reference (allowed {allowed:.3g})")
sys.exit(1 if error > allowed else 0)
