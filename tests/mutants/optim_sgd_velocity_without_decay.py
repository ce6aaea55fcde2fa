"""SGD with momentum feeds the raw gradient into the velocity: weight decay is only applied without momentum.

Real bug class: weight decay added on one code path only (e.g. in the `momentum == 0` branch, or to the step
rather than the gradient). Caught by: the differential check and multi-step trajectories, whenever
momentum > 0 and weight_decay > 0.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls._validate import optim as V

NAME = "mutant-optim-sgd-velocity-without-decay"
DTYPES = ("float32", "float64")


def sgd_step(param, grad, momentum_buffer, *, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    param, grad = np.asarray(param), np.asarray(grad)
    buf = None if momentum_buffer is None else np.asarray(momentum_buffer)
    V.sgd_step(param.shape, param.dtype, grad.shape, grad.dtype, None if buf is None else buf.shape,
               None if buf is None else buf.dtype, lr=lr, momentum=momentum, dampening=dampening,
               nesterov=nesterov, weight_decay=weight_decay)
    if momentum == 0:
        return (param - lr * (grad + weight_decay * param)).astype(param.dtype), momentum_buffer
    g = grad   # BUG: weight_decay * param is missing on the momentum path
    buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
    step = g + momentum * buf if nesterov else buf
    return (param - lr * step).astype(param.dtype), buf.astype(param.dtype)
