"""The plumbing both JAX implementations share (``impls/jax``, ``impls/jax_native``): x64, device placement,
``asarray`` / ``to_numpy`` / ``vjp`` (the plug-in interface). The executable cache is :mod:`impls._jax_jit`.
Nothing here computes a component: what a kernel computes, and every reshape, mask or check around it, belongs
to its implementation (or to ``impls._validate``)."""
import os

import jax
import numpy as np

# float64 is part of the contract; without this flag JAX silently computes float64 inputs in float32.
jax.config.update("jax_enable_x64", True)

from impls import _compat  # noqa: E402  (probes the private fast paths, after x64 is on)

_PLATFORM = "gpu" if os.environ.get("DLPROPS_DEVICE", "cpu").startswith("cuda") else "cpu"
DEVICE = jax.devices(_PLATFORM)[0]

_SHARDING = jax.sharding.SingleDeviceSharding(DEVICE)

#: whether ``asarray`` takes the private C++ transfer (see :data:`impls._compat.FAST_TRANSFER`)
FAST_TRANSFER = _compat.FAST_TRANSFER


def _device_put(a: np.ndarray):
    """``jax.device_put(a, DEVICE)``: ~40 us a call, nearly all of it Python around one C++ transfer."""
    return jax.device_put(a, DEVICE)


def _batched_device_put(a: np.ndarray):
    """The C++ transfer ``jax.device_put`` ends in, called directly (~4 us): a committed copy on DEVICE.
    Private to jaxlib (:data:`impls._compat.FAST_TRANSFER`); otherwise the public call is used. (A jitted
    identity is as fast but compiles once per shape and dtype: 400 shapes in attention.)"""
    return _compat.batched_device_put(a, DEVICE, _SHARDING)


def asarray(a):
    """A ``jax.Array`` with ``a``'s dtype and values, on :data:`DEVICE` (a copy: later changes to ``a`` do
    not reach it)."""
    if _compat.FAST_TRANSFER:
        return _compat.batched_device_put(np.asarray(a), DEVICE, _SHARDING)
    return jax.device_put(np.asarray(a), DEVICE)


def to_numpy(x):
    """A NumPy array for a ``jax.Array`` (bfloat16 stays ``ml_dtypes.bfloat16``)."""
    return np.asarray(x)


def vjp(fn, primals, cotangent):
    """Vector-Jacobian product ``cotangent^T d fn / d primals`` by ``jax.vjp``."""
    _, pullback = jax.vjp(fn, *primals)
    return tuple(pullback(cotangent))
