"""Keras 3 (``keras.ops``, ``keras.losses``, ``keras.random`` and its normalisation layers) on the JAX backend,
wrapped as a dlprops implementation.

The adapters call Keras as its users do and convert the catalogue's conventions only (layout, mask polarity,
causal alignment, momentum, reductions); every difference the suite finds is Keras' own, listed in
:mod:`.deviations`. Keras picks its backend at its first import: this package asks for JAX and refuses another.
Components Keras has no form of (attention probabilities, KV-cache decoding, positional encodings, BERT helpers,
parameter initialisation, the assembled blocks) are not provided; optimizers are ``impls.optax_lib``.
"""
from ._util import asarray, keras  # noqa: F401  (first: sets KERAS_BACKEND=jax, then imports keras)
from impls._jax_common import to_numpy, vjp  # noqa: F401,E402  (the plug-in interface)

from .activations import *  # noqa: F401,F403,E402
from .attention import *  # noqa: F401,F403,E402
from .losses import *  # noqa: F401,F403,E402
from .mha import *  # noqa: F401,F403,E402
from .norms import *  # noqa: F401,F403,E402
from .regularization import *  # noqa: F401,F403,E402

NAME = "keras_ops"
DTYPES = ("float16", "bfloat16", "float32", "float64")
LIBRARY = {"distribution": "keras", "version": keras.__version__}

from .deviations import FINDINGS, KNOWN_DEVIATIONS  # noqa: E402,F401  (observed differences, with reasons)
