"""Equinox's layers (``eqx.nn``) wrapped as a dlprops implementation, written the way Equinox users call them:
construct the module for one example, set the drawn arrays with ``eqx.tree_at``, ``jax.vmap`` it over the batch
(inside a function jitted once per static configuration, :mod:`impls._jax_jit`).

The adapters convert conventions only (batching by vmap, mask polarity, causal alignment) and never correct what
Equinox computes, so every difference the suite finds is Equinox's own; they are listed in :mod:`.deviations`.
Components Equinox has no module for are not provided.
"""
import equinox

from impls._jax_common import asarray, to_numpy, vjp  # noqa: F401  (the plug-in interface; enables x64)

from .attention import *  # noqa: F401,F403
from .norms import *  # noqa: F401,F403
from .positional import *  # noqa: F401,F403
from .regularization import *  # noqa: F401,F403

NAME = "equinox"
DTYPES = ("float16", "bfloat16", "float32", "float64")
LIBRARY = {"distribution": "equinox", "version": equinox.__version__}

from .deviations import FINDINGS, KNOWN_DEVIATIONS  # noqa: E402,F401  (observed differences, with reasons)
