"""flax.nnx's layers wrapped as a dlprops implementation, written the way flax users call them: construct the
layer (``rngs=nnx.Rngs(0)``), assign the drawn arrays to its ``nnx.Param``s, call it (inside a function jitted
once per static configuration, :mod:`impls._jax_jit`).

The adapters convert conventions only (channels-last layouts, mask polarity, causal alignment, momentum's
direction) and never correct what flax computes, so every difference the suite finds is flax's own; they are
listed in :mod:`.deviations`. Components flax has no layer or function for are not provided.
"""
import flax

from impls._jax_common import asarray, to_numpy, vjp  # noqa: F401  (the plug-in interface; enables x64)

from .activations import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .norms import *  # noqa: F401,F403
from .regularization import *  # noqa: F401,F403

NAME = "flax_nnx"
DTYPES = ("float16", "bfloat16", "float32", "float64")
LIBRARY = {"distribution": "flax", "version": flax.__version__}

from .deviations import FINDINGS, KNOWN_DEVIATIONS  # noqa: E402,F401  (observed differences, with reasons)
