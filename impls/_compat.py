"""Every private API the implementations use, fenced here with a public fallback and a flag per fast path.

The implementations (``impls/*``) are plug-ins that import no part of the harness, so their private uses live
here and the harness's (Hypothesis, pytest-xdist) in :mod:`properties.compat`. Each fast path is probed once at
import: if the private API is missing, or no longer behaves as it did, its flag is False and the public
fallback is used (slower, same results). ``tests/test_compat.py`` fails, naming the API, while a flag is off.

=====================  ====================================================  =====================================
flag                   private fast path                                     public fallback
=====================  ====================================================  =====================================
``ARRAY_IMPL``         ``jax._src.array.ArrayImpl``: a concrete array is     every call keyed by flattening its
                       recognised by ``type(x) is ArrayImpl`` (~2 us less    pytree (``isinstance(x, jax.Array)``
                       per kernel call: :meth:`impls._jax_jit.Kernel.        and not a ``jax.core.Tracer``)
                       _plain_key`)
``FAST_TRANSFER``      ``jax._src.lib._jax.batched_device_put`` (with        ``jax.device_put(a, device)``
                       ``jax._src.core.ShapedArray``): the C++ transfer      (~40 us a call)
                       ``jax.device_put`` ends in, ~4 us a call
``JIT_CACHE_SIZE``     ``jax.jit(f)._cache_size()``: executables a jitted    the distinct call signatures
                       function holds (a diagnostic, read by tests)          :class:`impls._jax_jit.Kernel` sent
                                                                             to ``jax.jit``
=====================  ====================================================  =====================================

Set ``DLPROPS_NO_FAST_PATHS=1`` to start with every flag off (what a version without the private APIs gets).
"""
from __future__ import annotations

import functools
import os

#: flag -> why its fast path is off (read by tests/test_compat.py)
PROBLEMS: dict[str, str] = {}

_DISABLED = os.environ.get("DLPROPS_NO_FAST_PATHS", "").lower() in ("1", "true", "yes")


def _version(dist: str) -> str:
    try:
        import importlib.metadata
        return importlib.metadata.version(dist)
    except Exception:  # not installed: its fast paths are off anyway
        return "?"


def _off(flag: str, dist: str, api: str, why: str) -> bool:
    PROBLEMS[flag] = f"{dist} {_version(dist)} changed {api}; the fast path is off ({why})"
    return False


# --------------------------------------------------------------------------------------------------- JAX
try:
    import jax as _jax_mod
except ImportError:  # a PyTorch-only install: nothing of JAX is used
    _jax_mod = None

#: ``jax._src.array.ArrayImpl`` once probed (None otherwise)
ARRAY_TYPE = None
_BATCHED_DEVICE_PUT = None
_SHAPED_ARRAY = None


def _probe_array_impl() -> bool:
    global ARRAY_TYPE
    api = "jax._src.array.ArrayImpl"
    try:
        from jax._src.array import ArrayImpl
    except Exception as error:
        return _off("ARRAY_IMPL", "jax", api, f"import failed: {error!r}")
    import numpy as np
    probe = _jax_mod.device_put(np.zeros(2, np.float32))
    if not (isinstance(ArrayImpl, type) and type(probe) is ArrayImpl and issubclass(ArrayImpl, _jax_mod.Array)
            and not issubclass(ArrayImpl, _jax_mod.core.Tracer)):
        return _off("ARRAY_IMPL", "jax", api, f"a concrete array is a {type(probe).__module__}."
                                              f"{type(probe).__qualname__}")
    ARRAY_TYPE = ArrayImpl
    return True


def _probe_fast_transfer() -> bool:
    global _BATCHED_DEVICE_PUT, _SHAPED_ARRAY
    api = "jax._src.lib._jax.batched_device_put"
    try:
        from jax._src import core
        from jax._src.lib import _jax
        _BATCHED_DEVICE_PUT, _SHAPED_ARRAY = _jax.batched_device_put, core.ShapedArray
    except Exception as error:
        return _off("FAST_TRANSFER", "jaxlib", api, f"import failed: {error!r}")
    import numpy as np
    try:
        device = _jax_mod.devices("cpu")[0]
        probe = np.arange(6, dtype=np.float32).reshape(2, 3).T  # non-contiguous on purpose
        out = batched_device_put(probe, device, _jax_mod.sharding.SingleDeviceSharding(device))
        ok = isinstance(out, _jax_mod.Array) and out.dtype == probe.dtype and out.devices() == {device} \
            and np.array_equal(np.asarray(out), probe)
        why = "the probe transfer gave another array"
    except Exception as error:
        ok, why = False, f"the probe transfer raised {error!r}"
    if not ok:
        _BATCHED_DEVICE_PUT = _SHAPED_ARRAY = None
        return _off("FAST_TRANSFER", "jaxlib", api, why)
    return True


def _probe_jit_cache_size() -> bool:
    api = "jax.jit(...)._cache_size()"
    try:  # no compilation at import: that it counts executables is tested (tests/test_jax_executable_cache.py)
        size = _jax_mod.jit(lambda x: x + 1)._cache_size()
        if type(size) is int and size == 0:
            return True
        why = f"a new jitted function's is {size!r}"
    except Exception as error:
        why = f"it raised {error!r}"
    return _off("JIT_CACHE_SIZE", "jax", api, why)


@functools.lru_cache(maxsize=4096)
def _aval(shape, dtype):
    return _SHAPED_ARRAY(shape, dtype)


def batched_device_put(a, device, sharding):
    """A committed copy of the NumPy array ``a`` on ``device`` by the private C++ transfer (FAST_TRANSFER only)."""
    return _BATCHED_DEVICE_PUT(_aval(a.shape, a.dtype), sharding, [a], [device], True, True)


def array_impl():
    """The concrete ``jax.Array`` type (for ``type(x) is ...``) while ``ARRAY_IMPL``, else None."""
    return ARRAY_TYPE if ARRAY_IMPL else None


def jit_cache_size(jitted) -> int:
    """``jitted._cache_size()`` (JIT_CACHE_SIZE only)."""
    return jitted._cache_size()


_HAVE_JAX = _jax_mod is not None and not _DISABLED
#: ``type(x) is jax._src.array.ArrayImpl`` recognises a concrete array
ARRAY_IMPL = _HAVE_JAX and _probe_array_impl()
#: ``jax._src.lib._jax.batched_device_put`` transfers to the device
FAST_TRANSFER = _HAVE_JAX and _probe_fast_transfer()
#: ``jax.jit(...)._cache_size()`` counts a jitted function's executables
JIT_CACHE_SIZE = _HAVE_JAX and _probe_jit_cache_size()
if _DISABLED:
    for _flag in ("ARRAY_IMPL", "FAST_TRANSFER", "JIT_CACHE_SIZE"):
        PROBLEMS[_flag] = "DLPROPS_NO_FAST_PATHS is set; the fast path is off"

#: every flag of this module (name -> on)
FLAGS = ("ARRAY_IMPL", "FAST_TRANSFER", "JIT_CACHE_SIZE")
