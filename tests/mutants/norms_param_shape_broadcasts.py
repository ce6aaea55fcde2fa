"""Batch/instance/layer norm that never check the shapes of weight, bias and the running statistics: a
size-1 array (or any array NumPy can broadcast) is silently applied to every feature.

Real bug class: relying on broadcasting instead of validating per-feature parameters, so a ``(1,)`` weight
loaded from a wrong checkpoint key, or running statistics of another layer, run without complaint. Correct
for well-shaped arguments, so no differential check can see it. Caught by: ``rejects_bad_input`` of batch
norm (running_var of shape (1,)), instance norm (bias of shape (1,)) and layer norm (weight of shape (1,)).
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-norms-param-shape-broadcasts"
DTYPES = ("float32", "float64")
CATCHES = ("batch_norm:rejects_bad_input", "layer_norm:rejects_bad_input", "instance_norm:rejects_bad_input")


def _broadcast(a, shape):
    """``a`` broadcast to ``shape`` (BUG: broadcast, never compared with it)."""
    return None if a is None else np.broadcast_to(np.asarray(a), shape)


def batch_norm(x, running_mean, running_var, weight=None, bias=None, *, training, momentum=0.1, eps=1e-5):
    """The reference on running statistics and parameters broadcast to ``(C,)``."""
    c = np.shape(x)[1:2]
    return reference.batch_norm(x, _broadcast(running_mean, c), _broadcast(running_var, c), _broadcast(weight, c),
                                _broadcast(bias, c), training=training, momentum=momentum, eps=eps)


def instance_norm(x, weight=None, bias=None, *, eps=1e-5):
    """The reference on parameters broadcast to ``(C,)``."""
    c = np.shape(x)[1:2]
    return reference.instance_norm(x, _broadcast(weight, c), _broadcast(bias, c), eps=eps)


def layer_norm(x, normalized_ndim, weight=None, bias=None, *, eps=1e-5):
    """The reference on parameters broadcast to the normalised shape."""
    shape = np.shape(x)[np.ndim(x) - int(normalized_ndim):]
    return reference.layer_norm(x, normalized_ndim, _broadcast(weight, shape), _broadcast(bias, shape), eps=eps)
