"""SGD starts the momentum buffer at zero, so the first buffer is (1 - dampening) * grad instead of grad.

Real bug class: initialising state with zeros_like(param) and running the general update on step 1; torch.optim
copies the gradient on the first step. Caught by: the differential check and multi-step trajectories,
whenever momentum > 0 and dampening != 0.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-optim-sgd-first-buffer-zero-with-dampening"
DTYPES = ("float32", "float64")
CATCHES = ("sgd_step:matches_oracle", "sgd_step:trajectory_matches_oracle")


def sgd_step(param, grad, momentum_buffer, *, momentum=0.0, **options):
    """The reference with a zero first buffer (BUG: the first buffer should be g itself, so dampening now
    scales the first step)."""
    reference.sgd_step(param, grad, momentum_buffer, momentum=momentum, **options)  # validates
    if momentum != 0 and momentum_buffer is None:
        momentum_buffer = np.zeros_like(np.asarray(param))
    return reference.sgd_step(param, grad, momentum_buffer, momentum=momentum, **options)
