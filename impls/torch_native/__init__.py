"""PyTorch's own built-ins (``torch.nn.functional``, ``torch.optim``) wrapped as a dlprops implementation.

The adapters convert the contract's conventions only — argument layout, mask polarity, causal alignment,
reductions — and never correct what the framework computes, so every difference the suite finds here is
PyTorch's own. Components PyTorch has no built-in for (positional encodings, BERT helpers, parameter
initialisation, feed-forward blocks, KV-cache decoding, attention probabilities) are not provided.
"""
from impls._torch_common import asarray, to_numpy, vjp  # noqa: F401  (the plug-in interface)

from .activations import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .norms import *  # noqa: F401,F403
from .optim import *  # noqa: F401,F403
from .regularization import *  # noqa: F401,F403
from .transformer import *  # noqa: F401,F403

NAME = "torch_native"
DTYPES = ("float16", "bfloat16", "float32", "float64")

from .deviations import KNOWN_DEVIATIONS  # noqa: E402,F401  (observed differences, with reasons)
