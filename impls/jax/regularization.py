"""Dropout (SPEC 3.5) for the JAX implementation, drawing from ``jax.random.PRNGKey(seed)``."""

import jax
import jax.numpy as jnp

from .._validate import regularization as V
from ._util import as_array, upcast
from ._jit import jit

__all__ = ["dropout"]


@jit
def _dropout(x, seed, p, scale):
    u = jax.random.uniform(jax.random.PRNGKey(seed), x.shape, dtype=jnp.float64)
    keep = u >= p  # P(u >= p) = 1 - p for u ~ U[0, 1)
    xc = upcast(x)
    # where(), not keep * x: a dropped inf must give 0, not NaN
    return jnp.where(keep, xc * scale, 0.0).astype(x.dtype)


def dropout(x, p, *, training, seed):
    """Inverted dropout: ``y = x * keep / (1 - p)`` with ``keep ~ Bernoulli(1 - p)`` i.i.d. per element;
    ``p == 1`` gives zeros, ``training=False`` returns ``x``."""
    x = as_array(x)
    p, seed = V.dropout(x.dtype, p, training=training, seed=seed)
    if not training:
        return x
    scale = 1.0 / (1.0 - p) if p < 1.0 else 0.0
    return _dropout(x, seed, p, scale)
