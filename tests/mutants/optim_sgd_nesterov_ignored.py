"""SGD ignores nesterov=True and takes a plain heavy-ball momentum step.

Real bug class: an option accepted in the signature but never wired into the update. Caught by: the
differential check and multi-step trajectories, whenever nesterov=True (momentum > 0).
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls._validate import optim as V

NAME = "mutant-optim-sgd-nesterov-ignored"
DTYPES = ("float32", "float64")


def sgd_step(param, grad, momentum_buffer, *, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    param, grad = np.asarray(param), np.asarray(grad)
    buf = None if momentum_buffer is None else np.asarray(momentum_buffer)
    V.sgd_step(param.shape, param.dtype, grad.shape, grad.dtype, None if buf is None else buf.shape,
               None if buf is None else buf.dtype, lr=lr, momentum=momentum, dampening=dampening,
               nesterov=nesterov, weight_decay=weight_decay)
    g = grad + weight_decay * param
    if momentum == 0:
        return (param - lr * g).astype(param.dtype), momentum_buffer
    buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
    p = param - lr * buf   # BUG: nesterov should step along g + momentum * buf
    return p.astype(param.dtype), buf.astype(param.dtype)
