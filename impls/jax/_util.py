"""Conversion, precision and autodiff helpers of the JAX implementation (the shared plumbing — x64, device
placement, ``asarray``/``to_numpy``/``vjp`` — is :mod:`impls._jax_common`, re-exported here)."""
import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from impls._jax_common import (  # noqa: F401  (enables x64 before any array exists)
    DEVICE, FAST_TRANSFER, _device_put, asarray, to_numpy, vjp)


def filled(param, value, shape, dtype):
    """``param``, or an array of ``value`` (1 for an absent weight, 0 for an absent bias): a kernel then
    compiles once per shape instead of once per combination of absent parameters (jit traces ``None`` as
    another static structure). ``y * 1 + 0`` is ``y`` exactly, up to the sign of a zero."""
    return param if param is not None else asarray(np.full(shape, value, dtype=dtype))


def compute_dtype(dtype):
    """float32 for half-precision arrays (accumulate wide, round once at the end), else ``dtype``."""
    return jnp.float32 if jnp.dtype(dtype) in (jnp.dtype(jnp.float16), jnp.dtype(jnp.bfloat16)) else dtype


def upcast(x):
    """``x`` in its compute dtype."""
    return x.astype(compute_dtype(x.dtype))


_HALF = (np.dtype(jnp.float16), np.dtype(jnp.bfloat16))
#: float dtypes that make a call wide whatever its other arrays are (a set: looked up once per call)
_FLOAT32_OR_64 = frozenset({np.dtype(np.float32), np.dtype(np.float64)})


#: convert on the host: XLA's conversion on the CPU rounds the same (tests/test_jax_compilation.py), and a
#: jitted ``astype`` would compile once per shape (~200 executables in the attention family alone)
_HOST_CONVERT = DEVICE.platform == "cpu"


def _on_host(x) -> bool:
    """A concrete array on the CPU: converted, reshaped and sliced by NumPy (no compilation)."""
    return _HOST_CONVERT and isinstance(x, jax.Array) and not isinstance(x, jax.core.Tracer)


def convert(a, dtype):
    """``a.astype(dtype)``: by NumPy for a concrete array on the CPU, by JAX otherwise (tracers, accelerators)."""
    if a.dtype == dtype:
        return a
    if _on_host(a):
        with np.errstate(over="ignore", invalid="ignore"):  # overflow to inf and NaN are the intended results
            return asarray(np.asarray(a).astype(dtype))
    return a.astype(dtype)


def as_array(x):
    """``x`` as a ``jax.Array``: itself when it is one (tracers included), ``jnp.asarray(x)`` otherwise (NumPy
    arrays, lists). ``jnp.asarray`` of a tracer under autodiff binds a conversion that runs, and compiles, per
    shape."""
    return x if isinstance(x, jax.Array) else jnp.asarray(x)


def reshape(x, shape):
    """``x.reshape(shape)`` without compiling anything: by NumPy and one transfer for a concrete array on the
    CPU, by JAX otherwise (tracers, accelerators). Kernels see canonical shapes (a norm's ``(rows, features)``),
    so they compile once per canonical shape instead of once per input shape and option. Under eager reverse-mode
    autodiff (``jax.vjp`` outside ``jit``) the reshape and its transpose run on the host too (see
    :func:`_host_reshape`): a traced ``jnp.reshape`` would run, and compile, eagerly for every shape both ways."""
    shape = tuple(shape)
    if tuple(x.shape) == shape:
        return x
    if _on_host(x):
        return asarray(np.asarray(x).reshape(shape))
    if _HOST_CONVERT and _eager_autodiff(x):
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
    """A ``jax.custom_vjp`` reshape ``source -> target`` whose forward and backward passes get concrete arrays
    under eager autodiff and so reshape on the host (:func:`reshape`); the cotangent goes back ``target ->
    source``."""
    @jax.custom_vjp
    def function(x):
        return reshape(x, target)

    function.defvjp(lambda x: (reshape(x, target), None), lambda _, g: (reshape(g, source),))
    return function


def take(x, index):
    """``x[index]`` for a basic index (slices), compiling nothing on the CPU (see :func:`reshape`)."""
    if _on_host(x):
        return asarray(np.asarray(x)[index])
    return x[index]


def vector(param, value, size, dtype):
    """``param`` (or ``value`` everywhere when absent) as a ``(size,)`` vector."""
    return reshape(filled(param, value, (size,), dtype), (size,))


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


def _half_dtype(leaves):
    """The one half-precision dtype of the float ``jax.Array`` leaves, else None (wide, mixed or none)."""
    found = None
    for leaf in leaves:
        if not isinstance(leaf, jax.Array):
            continue
        dtype = leaf.dtype
        if dtype.kind != "f" and dtype not in _HALF:  # integers, booleans (bfloat16's kind is "V")
            continue
        if dtype not in _HALF or (found is not None and dtype != found):
            return None
        found = dtype
    return found


def half_in_float32(fn):
    """``fn`` run on float32 copies of its half-precision arrays, float32 results rounded back once.

    Every kernel here already computes half precision in float32 and rounds once at the end, so this is the
    same arithmetic moved out of the kernel: kernels then compile for float32 and float64 only, and a
    half-precision call reuses the float32 executable (JAX compiles per shape *and* dtype, ~30-150 ms each on
    CPU). Calls whose float arrays are not all of one half dtype (float32/float64, mixed, traced under
    autodiff in a wide dtype) are passed through unchanged.
    """
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if args and getattr(args[0], "dtype", None) in _FLOAT32_OR_64:  # the usual call: a float32/float64 array first
            return fn(*args, **kwargs)
        leaves = jax.tree_util.tree_leaves((args, kwargs))
        half = _half_dtype(leaves)
        if half is None:
            return fn(*args, **kwargs)
        args, kwargs = jax.tree_util.tree_map(
            lambda a: convert(a, np.float32) if isinstance(a, jax.Array) and a.dtype == half else a, (args, kwargs))
        out = fn(*args, **kwargs)
        return jax.tree_util.tree_map(
            lambda a: convert(a, half) if isinstance(a, jax.Array) and a.dtype == jnp.float32 else a, out)
    return wrapper
