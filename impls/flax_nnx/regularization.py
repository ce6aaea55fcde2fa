"""Dropout as flax.nnx users call it: ``nnx.Dropout(rate=p, deterministic=not training,
rngs=nnx.Rngs(dropout=seed))`` applied to x (an element is kept with probability 1 - p and scaled by
1 / (1 - p); flax returns zeros for rate 1 and x itself when deterministic or rate 0)."""
import jax
from flax import nnx

from impls._validate import regularization as check

from ._util import kernel

__all__ = ["dropout"]


@kernel("p", "training")
def _dropout(x, seed, p, training):
    # nnx.Rngs(dropout=seed) makes jax.random.key(seed) from an int seed; the seed is traced here, so the key is
    # made the same way explicitly
    layer = nnx.Dropout(rate=p, deterministic=not training, rngs=nnx.Rngs(dropout=jax.random.key(seed)))
    return layer(x)


def dropout(x, p, *, training, seed):
    """``nnx.Dropout(rate=p, deterministic=not training, rngs=nnx.Rngs(dropout=seed))(x)``."""
    p, seed = check.dropout(x.dtype, p, training=training, seed=seed)
    return _dropout(x, seed, p=p, training=bool(training))
