"""Dropout: ``keras.random.dropout(x, rate, seed=seed)`` in training, ``x`` itself otherwise (what a
``keras.layers.Dropout`` layer does with ``training=False``). Eager: ``rate`` decides Python branches in Keras
(0 returns x, 1 returns zeros), and the seed is a Python int. Keras' seeds are 32-bit (``draw_seed`` makes a
uint32 ``[seed, 0]`` on JAX and raises OverflowError beyond), so larger catalogue seeds are not offered."""
from impls._validate import regularization as check

from ._util import keras

__all__ = ["dropout"]


def dropout(x, p, *, training, seed):
    """Inverted dropout: an element is kept with probability 1 - p and scaled by 1 / (1 - p)."""
    p, seed = check.dropout(x.dtype, p, training=training, seed=seed)
    if not training:
        return x
    if seed >= 2**32:
        raise NotImplementedError("keras.random.dropout takes 32-bit seeds (uint32 on the JAX backend)")
    return keras.random.dropout(x, p, seed=seed)
