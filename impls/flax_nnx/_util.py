"""This adapter's own helpers: argument metadata for the shared validators (``impls._validate``) and the
jitted-kernel decorator. A kernel builds the flax.nnx layer inside the traced function (construction and
parameter assignment are traced once per static configuration and shape; XLA drops the unused initial
parameters), so the compile cache :mod:`impls._jax_jit` keys it by shapes and options only."""
import flax

from impls._jax_jit import Kernel

#: part of every kernel's cache name: executables compiled against one flax release are never reused by another
#: (the cache fingerprints this package's sources and jax, not flax)
_TAG = f"flax{flax.__version__}"


def meta(x):
    """``(shape, dtype)`` of an array, None for an absent optional one."""
    return None if x is None else (tuple(x.shape), x.dtype)


def kernel(*static_argnames):
    """``impls._jax_jit.jit`` with ``static_argnames``, its cache entries named with the flax version."""
    def wrap(fun):
        name = f"{fun.__module__}.{fun.__qualname__}@{_TAG}"
        return Kernel(fun, tuple(static_argnames), (), name=name, module=fun.__module__)
    return wrap
