"""This adapter's own helpers: argument metadata for the shared validators (``impls._validate``) and the
jitted-kernel decorator. A kernel builds the flax.nnx layer inside the traced function (construction and
parameter assignment are traced once per static configuration and shape; XLA drops the unused initial
parameters), so the compile cache :mod:`impls._jax_jit` keys it by shapes and options only."""
import flax

from impls._jax_jit import array_meta as meta, library_kernels  # noqa: F401  (meta: used by the adapter's modules)

#: ``@kernel(*static_argnames)``: a jitted kernel whose cache entries carry the flax version
kernel = library_kernels("flax", flax.__version__)
