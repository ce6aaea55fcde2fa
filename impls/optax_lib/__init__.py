"""optax's ``sgd``, ``adam`` and ``adamw`` wrapped as a dlprops implementation (one step each).

Each step is written as optax users write it: build the optimizer, ``opt.init(param)``, set the state from
the catalogue's (PyTorch's) terms, ``opt.update(grad, state, param)`` and ``optax.apply_updates``. Only the
optimizers are provided; every difference the suite finds is optax's own (:mod:`.deviations`).
"""
from impls._jax_common import asarray, to_numpy, vjp  # noqa: F401  (the plug-in interface; enables x64)

import optax

from .optim import *  # noqa: F401,F403

NAME = "optax"
DTYPES = ("float16", "bfloat16", "float32", "float64")
LIBRARY = {"distribution": "optax", "version": optax.__version__}

from .deviations import FINDINGS, KNOWN_DEVIATIONS  # noqa: E402,F401  (observed differences, with reasons)
