"""Conversion, precision and autodiff helpers shared by the JAX family modules."""
import os

import jax
import jax.numpy as jnp
import numpy as np

# float64 is part of the contract; without this flag JAX silently computes float64 inputs in float32.
jax.config.update("jax_enable_x64", True)

# JAX compiles each function once per shape, dtype and static option (~50-100 ms on CPU); the persistent cache
# lets xdist workers and later runs reuse each other's compilations. DLPROPS_JAX_CACHE="" turns it off.
_CACHE_DIR = os.environ.get("DLPROPS_JAX_CACHE", os.path.join(os.path.expanduser("~"), ".cache", "dlprops-jax"))
if _CACHE_DIR and not jax.config.jax_compilation_cache_dir:
    jax.config.update("jax_compilation_cache_dir", _CACHE_DIR)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)

_PLATFORM = "gpu" if os.environ.get("DLPROPS_DEVICE", "cpu").startswith("cuda") else "cpu"
DEVICE = jax.devices(_PLATFORM)[0]


def asarray(a):
    """A ``jax.Array`` with ``a``'s dtype and values, on :data:`DEVICE`."""
    return jax.device_put(np.asarray(a), DEVICE)


def to_numpy(x):
    """A NumPy array for a ``jax.Array`` (bfloat16 stays ``ml_dtypes.bfloat16``)."""
    return np.asarray(x)


def compute_dtype(dtype):
    """float32 for half-precision arrays (accumulate wide, round once at the end), else ``dtype``."""
    return jnp.float32 if jnp.dtype(dtype) in (jnp.dtype(jnp.float16), jnp.dtype(jnp.bfloat16)) else dtype


def upcast(x):
    """``x`` in its compute dtype."""
    return x.astype(compute_dtype(x.dtype))


def vjp(fn, primals, cotangent):
    """Vector-Jacobian product ``cotangent^T d fn / d primals`` by ``jax.vjp``."""
    _, pullback = jax.vjp(fn, *primals)
    return tuple(pullback(cotangent))
