"""eqx.nn.RotaryPositionalEmbedding caches its cos/sin tables by (embedding_size, dtype) only: a second module
with another theta (same size and dtype) reuses the first module's frequencies. Exits 1 while the second module's
output differs from the float64 NumPy RoPE with its own theta."""
import sys

import equinox as eqx
import jax.numpy as jnp
import numpy as np


def reference(x, theta):
    """Half-split RoPE at positions 0..L-1: pair (x[i], x[i + D/2]) turned by l * theta**(-2i/D)."""
    length, dim = x.shape
    angles = np.arange(length)[:, None] * theta ** (-np.arange(0, dim, 2) / dim)[None, :]
    cos, sin = np.cos(angles), np.sin(angles)
    first, second = x[:, :dim // 2], x[:, dim // 2:]
    return np.concatenate([first * cos - second * sin, second * cos + first * sin], axis=1)


x = np.random.default_rng(0).standard_normal((4, 8)).astype(np.float32)
eqx.nn.RotaryPositionalEmbedding(8, theta=10000.0)(jnp.asarray(x))         # any earlier module of this size
got = np.asarray(eqx.nn.RotaryPositionalEmbedding(8, theta=100.0)(jnp.asarray(x)), dtype=np.float64)
want = reference(x.astype(np.float64), 100.0)
error = np.abs(got - want).max()
allowed = 8 * np.finfo(np.float32).eps * np.abs(x).max() * x.shape[0]
print(f"theta=100 after theta=10000: row 3 {got[3].round(4)}\nfloat64 reference:           row 3 {want[3].round(4)}"
      f"\nmax error {error:.3g} (allowed {allowed:.3g})")
sys.exit(1 if error > allowed else 0)
