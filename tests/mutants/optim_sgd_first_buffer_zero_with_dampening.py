"""SGD starts the momentum buffer at zero, so the first buffer is (1 - dampening) * grad instead of grad.

Real bug class: initialising state with zeros_like(param) and running the general update on step 1; torch.optim
copies the gradient on the first step. Caught by: the differential check and multi-step trajectories,
whenever momentum > 0 and dampening != 0.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls._validate import optim as V

NAME = "mutant-optim-sgd-first-buffer-zero-with-dampening"
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
    if buf is None:
        buf = np.zeros_like(param)   # BUG: the first buffer should be g itself
    buf = momentum * buf + (1 - dampening) * g
    step = g + momentum * buf if nesterov else buf
    return (param - lr * step).astype(param.dtype), buf.astype(param.dtype)
