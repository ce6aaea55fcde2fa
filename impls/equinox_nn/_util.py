"""This adapter's own helpers: argument metadata for the shared validators (``impls._validate``) and the
jitted-kernel decorator. A kernel builds the Equinox module inside the traced function and sets its weights with
``eqx.tree_at`` (traced once per static configuration and shape), so the compile cache :mod:`impls._jax_jit`
keys it by shapes and options only. Equinox keeps hyperparameters such as ``eps`` in static fields, so they are
static arguments here too (a traced value there is an error)."""
import equinox

from impls._jax_jit import array_meta as meta, library_kernels  # noqa: F401  (meta: used by the adapter's modules)

#: ``@kernel(*static_argnames)``: a jitted kernel whose cache entries carry the equinox version
kernel = library_kernels("equinox", equinox.__version__)
