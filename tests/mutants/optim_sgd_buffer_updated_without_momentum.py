"""SGD that runs the momentum-buffer update whenever a buffer exists (or is created), even with momentum 0:
``buf = 0 * buf + (1 - dampening) * g`` replaces the buffer and the step uses it.

Real bug class: the momentum branch keyed on "is there a buffer" instead of ``momentum != 0``; with
momentum 0 the step is scaled by ``1 - dampening`` and the optimizer state is overwritten (or created).
Caught by: ``momentum_zero_is_plain_sgd`` (the buffer comes back changed or created), and the oracle
comparison.
"""
import numpy as np

from impls._validate import optim as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import compute_dtype

NAME = "mutant-optim-sgd-buffer-updated-without-momentum"
DTYPES = ("float32", "float64")


def sgd_step(param, grad, momentum_buffer, *, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    param, grad = np.asarray(param), np.asarray(grad)
    buf = None if momentum_buffer is None else np.asarray(momentum_buffer)
    V.sgd_step(param.shape, param.dtype, grad.shape, grad.dtype,
               None if buf is None else buf.shape, None if buf is None else buf.dtype,
               lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov, weight_decay=weight_decay)
    lr, momentum, dampening, weight_decay = float(lr), float(momentum), float(dampening), float(weight_decay)
    dtype = compute_dtype(param.dtype)
    p, g = param.astype(dtype), grad.astype(dtype)
    if weight_decay != 0:
        g = g + weight_decay * p
    # BUG: always takes the momentum path (the check should be `if momentum != 0`)
    b = g if buf is None else momentum * buf.astype(dtype) + (1 - dampening) * g
    g = g + momentum * b if nesterov else b
    new_buf = b.astype(param.dtype if buf is None else buf.dtype)
    return (p - lr * g).astype(param.dtype), new_buf
