"""This adapter's plumbing: Keras 3 on the JAX backend, a jit keyed by the Keras version, and ``meta``.

Keras picks its backend once, at its first import, from ``KERAS_BACKEND``: the JAX backend is asked for here
(unless the environment chose already) and anything else is refused, since ``keras.ops`` then takes and
returns another framework's arrays than this adapter's ``jax.Array``s. Import this module before ``keras``.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

from impls._jax_common import DEVICE, asarray  # noqa: E402,F401  (enables x64 before keras sees jax)
from impls._jax_jit import Kernel  # noqa: E402

import keras  # noqa: E402

if keras.backend.backend() != "jax":
    raise ImportError(f"impls.keras_ops needs Keras on the JAX backend, but keras was imported with the "
                      f"{keras.backend.backend()!r} backend (set KERAS_BACKEND=jax before anything imports keras)")


def jit(fun=None, *, static_argnames=()):
    """``jax.jit`` of a function calling ``keras.ops``, with :mod:`impls._jax_jit`'s executable cache (how
    Keras' own ``jit_compile`` runs on JAX). The Keras version is part of the executable's name, so a stored
    executable is never reused under another Keras (the cache fingerprints only this package's sources, which
    ``module`` names: a kernel may be a ``keras.ops`` function itself)."""
    if fun is None:
        return lambda f: jit(f, static_argnames=static_argnames)
    name = f"{fun.__module__}.{fun.__qualname__}[keras-{keras.__version__}]"
    return Kernel(fun, tuple(static_argnames), (), name=name, module=__package__)


def meta(x):
    """``(shape, dtype)`` of an array, None for an absent optional one (what ``impls._validate`` takes)."""
    return None if x is None else (tuple(x.shape), x.dtype)
