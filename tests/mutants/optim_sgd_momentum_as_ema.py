"""SGD momentum as an exponential moving average: ``buf = mu * buf + (1 - mu) * g`` (Adam's first moment).

Real bug class: momentum written the way Adam's first moment (or TF1's "momentum as EMA" posts) is written, so
the step is (1 - mu) times PyTorch's in steady state: a learning rate tuned with torch.optim.SGD is 10x too small
at mu = 0.9. The first step (buffer = g) is right. Caught by: under a constant gradient the buffer after t steps
is g (1 - mu^t) / (1 - mu) (``sgd_step:constant_gradient_buffer_is_geometric_sum``).
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-optim-sgd-momentum-as-ema"
DTYPES = ("float32", "float64")
CATCHES = ("sgd_step:constant_gradient_buffer_is_geometric_sum",)


def sgd_step(param, grad, momentum_buffer, *, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    if momentum == 0 or momentum_buffer is None:
        return reference.sgd_step(param, grad, momentum_buffer, lr=lr, momentum=momentum, dampening=dampening,
                                  nesterov=nesterov, weight_decay=weight_decay)
    g = np.asarray(grad) + weight_decay * np.asarray(param)
    buf = momentum * np.asarray(momentum_buffer) + (1 - momentum) * g  # BUG: (1 - mu) g, not (1 - dampening) g
    step = g + momentum * buf if nesterov else buf
    return (np.asarray(param) - lr * step).astype(np.asarray(param).dtype), buf.astype(np.asarray(param).dtype)
