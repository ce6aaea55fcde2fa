"""``jit``, the executable cache of both JAX implementations: it lives in :mod:`impls._jax_jit` (shared with
``impls/jax_native``, which imports nothing from here); re-exported for this package's kernels."""
from impls._jax_jit import KEEP, Kernel, jit  # noqa: F401
