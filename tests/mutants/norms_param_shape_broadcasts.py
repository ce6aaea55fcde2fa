"""Batch/instance/layer norm that never check the shapes of weight, bias and the running statistics: a
size-1 array (or any array NumPy can broadcast) is silently applied to every feature.

Real bug class: relying on broadcasting instead of validating per-feature parameters, so a ``(1,)`` weight
loaded from a wrong checkpoint key, or running statistics of another layer, run without complaint. Correct
for well-shaped arguments, so no differential check can see it. Caught by: ``rejects_bad_input`` of batch
norm (running_var of shape (1,)), instance norm (bias of shape (1,)) and layer norm (weight of shape (1,)).
"""
import numpy as np

from impls._validate import norms as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.norms import _channel_shape, _meta, _moments, _scaled_eps, _standardize

NAME = "mutant-norms-param-shape-broadcasts"
DTYPES = ("float32", "float64")


def _broadcast_affine(y, weight, bias, shape):
    # BUG: parameters are reshaped to the feature layout and broadcast, never compared with it
    if weight is not None:
        y = y * np.asarray(weight).astype(y.dtype).reshape(shape)
    if bias is not None:
        y = y + np.asarray(bias).astype(y.dtype).reshape(shape)
    return y


def batch_norm(x, running_mean, running_var, weight=None, bias=None, *, training, momentum=0.1, eps=1e-5):
    V.check_x("batch_norm", _meta(x), 2, "(N, C, *spatial)")  # BUG: nothing else is checked
    eps = V.check_eps("batch_norm", eps)
    x, rm, rv = np.asarray(x), np.asarray(running_mean), np.asarray(running_var)
    xc = upcast(x)
    cshape = _channel_shape(x.ndim)
    if not training:
        mu, var = upcast(rm).astype(xc.dtype), upcast(rv).astype(xc.dtype)
        y = (xc - mu.reshape(cshape)) / np.sqrt(var.reshape(cshape) + eps)
        return _broadcast_affine(y, weight, bias, cshape).astype(x.dtype), rm.copy(), rv.copy()
    axes = (0,) + tuple(range(2, x.ndim))
    s, mean, dev, var = _moments(xc, axes)
    y = dev / np.sqrt(var + _scaled_eps(eps, s))
    count = x.size // x.shape[1]
    batch_mean = (mean * s).reshape(-1)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        batch_var = (var * s * s * (count / (count - 1))).reshape(-1)
    new_rm = ((1 - momentum) * upcast(rm) + momentum * batch_mean).astype(rm.dtype)
    new_rv = ((1 - momentum) * upcast(rv) + momentum * batch_var).astype(rv.dtype)
    return _broadcast_affine(y, weight, bias, cshape).astype(x.dtype), new_rm, new_rv


def instance_norm(x, weight=None, bias=None, *, eps=1e-5):
    eps = V.instance_norm(_meta(x), None, None, eps=eps)  # BUG: weight/bias shapes not passed to the check
    x = np.asarray(x)
    y = _standardize(upcast(x), tuple(range(2, x.ndim)), eps)
    return _broadcast_affine(y, weight, bias, _channel_shape(x.ndim)).astype(x.dtype)


def layer_norm(x, normalized_ndim, weight=None, bias=None, *, eps=1e-5):
    k, eps = V.layer_norm(_meta(x), normalized_ndim, None, None, eps=eps)  # BUG: weight/bias unchecked
    x = np.asarray(x)
    y = _standardize(upcast(x), tuple(range(x.ndim - k, x.ndim)), eps)
    if weight is not None:
        y = y * np.asarray(weight).astype(y.dtype)  # broadcasts against the trailing axes
    if bias is not None:
        y = y + np.asarray(bias).astype(y.dtype)
    return y.astype(x.dtype)
