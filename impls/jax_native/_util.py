"""This implementation's own helpers: what the shared validators (``impls._validate``) take — an array's
``(shape, dtype)`` — and the host-side reshapes that give kernels canonical shapes. Nothing here comes from
``impls/jax``: the from-primitives implementation can change (or be broken by a mutant) without touching the
built-ins' adapters. The shared plumbing (x64, device, ``asarray``) is :mod:`impls._jax_common`."""
import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from impls._jax_common import DEVICE, asarray

#: reshape on the host (NumPy, no compilation) for concrete CPU arrays
_HOST = DEVICE.platform == "cpu"


def meta(x):
    """``(shape, dtype)`` of an array, None for an absent optional one."""
    return None if x is None else (tuple(x.shape), x.dtype)


def _on_host(x) -> bool:
    """A concrete array on the CPU: reshaped by NumPy and one transfer (no compilation)."""
    return _HOST and isinstance(x, jax.Array) and not isinstance(x, jax.core.Tracer)


def reshape(x, shape):
    """``x.reshape(shape)`` without compiling anything: by NumPy for a concrete array on the CPU, by JAX
    otherwise (tracers, accelerators); under eager reverse-mode autodiff (``jax.vjp`` outside ``jit``) by a
    ``custom_vjp`` whose both passes reshape on the host (a traced ``jnp.reshape`` would run, and compile,
    eagerly for every shape both ways). Kernels then compile once per canonical shape."""
    shape = tuple(shape)
    if tuple(x.shape) == shape:
        return x
    if _on_host(x):
        return asarray(np.asarray(x).reshape(shape))
    if _HOST and _eager_autodiff(x):
        return _host_reshape(tuple(x.shape), shape)(x)
    return jnp.reshape(x, shape)


def _eager_autodiff(x) -> bool:
    """``x`` is a JVP tracer (``jax.vjp``, ``jax.grad``) over concrete values: no ``jit`` or ``vmap`` between."""
    while isinstance(x, jax.core.Tracer):
        primal = getattr(x, "primal", None)
        if primal is None:  # a jaxpr, batching or other trace
            return False
        x = primal
    return True


@functools.lru_cache(maxsize=None)
def _host_reshape(source, target):
    """A ``jax.custom_vjp`` reshape ``source -> target`` (cotangents go back ``target -> source``)."""
    @jax.custom_vjp
    def function(x):
        return reshape(x, target)

    function.defvjp(lambda x: (reshape(x, target), None), lambda _, g: (reshape(g, source),))
    return function


def vector(param, value, size, dtype):
    """``param`` as a ``(size,)`` vector, or ``value`` everywhere when it is absent (1 for a weight, 0 for a
    bias: the same values, and one compilation per shape instead of one per combination of absent ones)."""
    if param is None:
        return asarray(np.full((size,), value, dtype=dtype))
    return reshape(param, (size,))


def as_rows(x, k):
    """``x`` as ``(rows, features)``, the features being its last ``k`` axes."""
    features = math.prod(x.shape[x.ndim - k:])
    return reshape(x, (math.prod(x.shape[:x.ndim - k]), features)), features


def as_channels(x):
    """``x (N, C, *spatial)`` as ``(N, C, S)``, ``S`` the spatial size (1 without spatial axes)."""
    return reshape(x, x.shape[:2] + (math.prod(x.shape[2:]),))


def around_axis(x, axis):
    """``x`` as ``(before, n, after)``: the product of the axes before ``axis`` (non-negative), ``axis`` itself,
    the product of those after it. A reduction over axis 1 of it is the reduction over ``axis`` of ``x``, so a
    kernel reducing one axis compiles once per such triple, not once per shape and axis."""
    return reshape(x, (math.prod(x.shape[:axis]), x.shape[axis], math.prod(x.shape[axis + 1:])))
