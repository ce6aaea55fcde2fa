"""RoPE as Equinox users call it: ``eqx.nn.RotaryPositionalEmbedding(D, theta=base)`` on one ``(L, D)``
sequence, ``jax.vmap``-ed over the leading axes. Equinox rotates the half-split pairs (x[i], x[i + D/2])
(``rotate_half``) at positions 0..L-1 of the sequence: other positions and the interleaved layout raise
``NotImplementedError``. The frequencies are computed in the input's dtype (``dtype=x.dtype``, what Equinox asks
for when the two differ under strict promotion)."""
import math

import equinox as eqx
import jax
import numpy as np

from impls._validate import positional as check

from ._util import kernel

__all__ = ["rope"]


@kernel("base")
def _rope(x, base):
    layer = eqx.nn.RotaryPositionalEmbedding(x.shape[-1], theta=base, dtype=x.dtype)
    rows = x.reshape((math.prod(x.shape[:-2]),) + x.shape[-2:])
    return jax.vmap(layer)(rows).reshape(x.shape)


def rope(x, positions, *, base=10000.0, interleaved=False):
    """``jax.vmap(eqx.nn.RotaryPositionalEmbedding(D, theta=base))``: pair (x[i], x[i + D/2]) turned by
    ``l * base**(-2i/D)`` at row l; only positions == arange(L)."""
    base = check.rope(tuple(x.shape), x.dtype, tuple(positions.shape), positions.dtype, base)
    if interleaved:
        raise NotImplementedError("eqx.nn.RotaryPositionalEmbedding has no interleaved layout (it rotates halves)")
    if not np.array_equal(np.asarray(positions), np.arange(x.shape[-2])):
        raise NotImplementedError("eqx.nn.RotaryPositionalEmbedding rotates positions 0..L-1 only")
    return _rope(x, base=base)
