"""Dropout as Equinox users call it: ``eqx.nn.Dropout(p, inference=not training)(x, key=jax.random.key(seed))``
(an element is kept with probability 1 - p and scaled by 1 / (1 - p); Equinox returns x itself in inference
mode or for p == 0)."""
import equinox as eqx
import jax

from impls._validate import regularization as check

from ._util import kernel

__all__ = ["dropout"]


@kernel("p", "training")
def _dropout(x, seed, p, training):
    return eqx.nn.Dropout(p, inference=not training)(x, key=jax.random.key(seed))


def dropout(x, p, *, training, seed):
    """``eqx.nn.Dropout(p, inference=not training)(x, key=jax.random.key(seed))``."""
    p, seed = check.dropout(x.dtype, p, training=training, seed=seed)
    return _dropout(x, seed, p=p, training=bool(training))
