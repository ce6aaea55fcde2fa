"""SGD that runs the momentum-buffer update whenever a buffer exists (or is created), even with momentum 0:
``buf = 0 * buf + (1 - dampening) * g`` replaces the buffer and the step uses it.

Real bug class: the momentum branch keyed on "is there a buffer" instead of ``momentum != 0``; with
momentum 0 the step is scaled by ``1 - dampening`` and the optimizer state is overwritten (or created).
Caught by: ``momentum_zero_is_plain_sgd`` (the buffer comes back changed or created), and the oracle
comparison.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-optim-sgd-buffer-updated-without-momentum"
DTYPES = ("float32", "float64")
CATCHES = ("sgd_step:momentum_zero_is_plain_sgd", "sgd_step:matches_oracle", "sgd_step:trajectory_matches_oracle")


def sgd_step(param, grad, momentum_buffer, *, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    """The reference, except that momentum 0 still takes the momentum path (BUG: the check should be
    ``if momentum != 0``): ``buf = (1 - dampening) g`` (``g`` on the first step) is the step and comes back."""
    out = reference.sgd_step(param, grad, momentum_buffer, lr=lr, momentum=momentum, dampening=dampening,
                             nesterov=nesterov, weight_decay=weight_decay)  # validates
    if momentum != 0:
        return out
    param = np.asarray(param)
    g = np.asarray(grad) + weight_decay * param
    b = g if momentum_buffer is None else (1 - dampening) * g
    dtype = param.dtype if momentum_buffer is None else np.asarray(momentum_buffer).dtype
    return (param - lr * b).astype(param.dtype), b.astype(dtype)
