"""SGD that validates shapes and the Nesterov conditions but not the signs of lr, momentum and weight decay:
a negative lr silently performs gradient ascent.

Real bug class: range checks left out of a hand-written optimizer (``torch.optim.SGD`` raises for each);
a sign flipped in a schedule or a config then trains in the wrong direction without an error. Correct for
valid hyperparameters. Caught by: sgd_step ``rejects_bad_input``.
"""
import numpy as np

from impls._validate import optim as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import compute_dtype

NAME = "mutant-optim-sgd-negative-hyperparameters"
DTYPES = ("float32", "float64")


def sgd_step(param, grad, momentum_buffer, *, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    param, grad = np.asarray(param), np.asarray(grad)
    buf = None if momentum_buffer is None else np.asarray(momentum_buffer)
    others = [("grad", grad.shape, grad.dtype)]
    if buf is not None:
        others.append(("momentum_buffer", buf.shape, buf.dtype))
    V._check_arrays("sgd_step", (param.shape, param.dtype), others)
    lr, momentum, dampening, weight_decay = float(lr), float(momentum), float(dampening), float(weight_decay)
    # BUG: no `>= 0` checks on lr, momentum, weight_decay
    if nesterov and (momentum <= 0.0 or dampening != 0.0):
        raise ValueError("sgd_step: nesterov requires momentum > 0 and dampening == 0")
    dtype = compute_dtype(param.dtype)
    p, g = param.astype(dtype), grad.astype(dtype)
    if weight_decay != 0:
        g = g + weight_decay * p
    new_buf = momentum_buffer
    if momentum != 0:
        b = g if buf is None else momentum * buf.astype(dtype) + (1 - dampening) * g
        g = g + momentum * b if nesterov else b
        new_buf = b.astype(param.dtype if buf is None else buf.dtype)
    return (p - lr * g).astype(param.dtype), new_buf
