"""The PyTorch implementation, built from elementary tensor ops (never ``torch.nn.functional``'s fused
kernels or ``torch.optim``). Half-precision inputs are computed in float32 and rounded back.
"""
import numpy as np
import torch

from .activations import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .bert import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .norms import *  # noqa: F401,F403
from .optim import *  # noqa: F401,F403
from .params import *  # noqa: F401,F403
from .positional import *  # noqa: F401,F403
from .regularization import *  # noqa: F401,F403
from .transformer import *  # noqa: F401,F403
from ._util import DEVICE, asarray, to_numpy, vjp  # noqa: F401

NAME = "torch"
DTYPES = ("float16", "bfloat16", "float32", "float64")
