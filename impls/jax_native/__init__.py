"""JAX's own built-ins (``jax.nn``, optax) wrapped as a dlprops implementation.

The adapters convert the contract's conventions only — layout, mask polarity, causal alignment,
reductions, PyTorch's loss options expressed through optax's per-example losses — and never correct what
the framework computes, so every difference the suite finds here is JAX's or optax's own. Each adapter
calls a kernel jitted with its options static. Components without a JAX/optax built-in (dropout,
attention probabilities, positional encodings, BERT helpers, parameter initialisation, feed-forward and
multi-head blocks) are not provided; flax is deliberately not a dependency.
"""
from impls._jax_common import asarray, to_numpy, vjp  # noqa: F401  (the plug-in interface; enables x64)

from .activations import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .norms import *  # noqa: F401,F403
from .optim import *  # noqa: F401,F403
from .regularization import *  # noqa: F401,F403

NAME = "jax_native"
DTYPES = ("float16", "bfloat16", "float32", "float64")

from .deviations import KNOWN_DEVIATIONS  # noqa: E402,F401  (observed differences, with reasons)
