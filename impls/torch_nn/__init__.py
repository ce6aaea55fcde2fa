"""``torch.nn`` modules as a dlprops implementation, called the way model code calls them.

Each component constructs the ``nn.Module`` (``nn.LayerNorm``, ``nn.MultiheadAttention``,
``nn.TransformerEncoderLayer``, ...), loads the drawn parameters into it, puts it in ``train()`` or ``eval()``
mode and calls it. Inference runs under ``torch.no_grad()`` with the parameters copied in (``load_state_dict``),
which is what lets ``nn.MultiheadAttention`` and ``nn.TransformerEncoderLayer`` take their fused "fast path";
a call whose inputs require gradients (the suite's ``vjp``) passes the tensors with
``torch.func.functional_call`` instead, so gradients reach them (see ``_module.py``). Only conventions are
converted (layout, mask polarity, causal alignment); what the modules compute is left as it is, so every
difference the suite finds is the module API's own. Optimisers and the components ``torch.nn`` has no module
for are not provided.
"""
import torch

from impls._torch_common import asarray, to_numpy, vjp  # noqa: F401  (the plug-in interface)

from .activations import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .norms import *  # noqa: F401,F403
from .regularization import *  # noqa: F401,F403
from .transformer import *  # noqa: F401,F403

NAME = "torch_nn"
LIBRARY = {"distribution": "torch", "version": torch.__version__}
DTYPES = ("float16", "bfloat16", "float32", "float64")

from .deviations import FINDINGS, KNOWN_DEVIATIONS  # noqa: E402,F401  (observed differences, with reasons)
