"""The JAX implementation, built from ``jax.numpy``/``jax.lax`` primitives (never ``jax.nn``'s attention or
softmax, optax or flax). Functions are jitted with their options static, so a shape compiles once.
Half-precision inputs are computed in float32 and rounded back.
"""
from ._util import asarray, to_numpy, vjp  # noqa: F401  (enables x64 before any array exists)
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

from . import activations, attention, bert, losses, norms, optim, positional, regularization, transformer
from ._util import half_in_float32

# Half precision enters every component as float32 and leaves rounded once (see half_in_float32): the same
# arithmetic as upcasting inside each kernel, with half the compilations.
for _module in (activations, attention, bert, losses, norms, optim, positional, regularization, transformer):
    for _name in _module.__all__:
        globals()[_name] = half_in_float32(getattr(_module, _name))
del _module, _name

NAME = "jax"
DTYPES = ("float16", "bfloat16", "float32", "float64")
