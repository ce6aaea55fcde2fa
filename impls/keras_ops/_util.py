"""This adapter's plumbing: Keras 3 on the JAX backend, a jit keyed by the Keras version, and ``meta``.

Keras picks its backend once, at its first import, from ``KERAS_BACKEND``: the JAX backend is asked for here
(unless the environment chose already) and anything else is refused, since ``keras.ops`` then takes and
returns another framework's arrays than this adapter's ``jax.Array``s. Import this module before ``keras``.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

from impls._jax_common import DEVICE, asarray  # noqa: E402,F401  (enables x64 before keras sees jax)
from impls._jax_jit import array_meta as meta, library_jit  # noqa: E402,F401  (meta: for the adapter modules)

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
    return library_jit(fun, static_argnames, library="keras", version=keras.__version__, module=__package__)
