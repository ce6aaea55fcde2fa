"""Losses: ``keras.losses.sparse_categorical_crossentropy`` / ``categorical_crossentropy``,
``keras.ops.binary_crossentropy``, ``keras.ops.square`` of the difference (what ``keras.losses.mean_squared_error``
averages) and ``keras.losses.kl_divergence``, reduced with ``keras.ops.mean`` / ``sum`` as Keras users do.

Converted here: ``ignore_index`` is Keras' ``ignore_class`` (it zeroes the ignored rows; the mean is over the
others, as PyTorch's); ``label_smoothing``, which the sparse loss lacks, is ``categorical_crossentropy`` of
the one-hot target with Keras' own ``label_smoothing``; ``kl_divergence`` takes probabilities, so it gets
``exp(log_p)`` and ``exp(log_q)``, and sums over the last axis, so ``axis`` is moved there. The BCE and MSE
``keras.losses`` functions average over the last axis; the catalogue's element-wise ``reduction`` takes their
element-wise terms, ``keras.ops.binary_crossentropy(from_logits=True)`` and ``keras.ops.square(pred - target)``.
"""
import numpy as np

from impls._validate import losses as check

from ._util import jit, keras

__all__ = ["cross_entropy", "binary_cross_entropy_with_logits", "mse_loss", "kl_divergence"]


def _reduced(values, reduction):
    """The catalogue's ``reduction`` of per-element (per-row) values with ``keras.ops``."""
    if reduction == "mean":
        return keras.ops.mean(values)
    return keras.ops.sum(values) if reduction == "sum" else values


@jit(static_argnames=("label_smoothing", "reduction"))  # Keras branches on label_smoothing in Python
def _cross_entropy(logits, target, ignore_index, label_smoothing, reduction):
    keep = keras.ops.not_equal(target, ignore_index)
    if label_smoothing:  # the sparse loss has no label smoothing: the one-hot target through categorical CE
        one_hot = keras.ops.one_hot(keras.ops.where(keep, target, 0), logits.shape[-1], dtype=logits.dtype)
        per_row = keras.losses.categorical_crossentropy(one_hot, logits, from_logits=True,
                                                        label_smoothing=label_smoothing)
        per_row = keras.ops.where(keep, per_row, keras.ops.zeros_like(per_row))
    else:
        per_row = keras.losses.sparse_categorical_crossentropy(target, logits, from_logits=True,
                                                               ignore_class=ignore_index)
    if reduction != "mean":
        return _reduced(per_row, reduction)
    # PyTorch's mean: over the rows that are not ignored (0/0 = NaN when every row is)
    return keras.ops.divide(keras.ops.sum(per_row), keras.ops.sum(keras.ops.cast(keep, per_row.dtype)))


def cross_entropy(logits, target, *, ignore_index=-100, label_smoothing=0.0, reduction="mean"):
    """``keras.losses.sparse_categorical_crossentropy(target, logits, from_logits=True,
    ignore_class=ignore_index)`` per row (logsumexp(z) - z_t); with ``label_smoothing`` s,
    ``keras.losses.categorical_crossentropy`` of the one-hot target with ``label_smoothing=s`` (target
    (1 - s) one_hot + s / C). Ignored rows give 0 and do not count in the mean."""
    check.cross_entropy(logits.shape, logits.dtype, target.shape, target.dtype, ignore_index=ignore_index,
                        label_smoothing=label_smoothing, reduction=reduction)
    check.cross_entropy_targets(np.asarray(target), logits.shape[1], ignore_index)
    return _cross_entropy(logits, target, ignore_index, label_smoothing=float(label_smoothing), reduction=reduction)


@jit(static_argnames=("reduction",))
def _bce(logits, target, reduction):
    return _reduced(keras.ops.binary_crossentropy(target, logits, from_logits=True), reduction)


def binary_cross_entropy_with_logits(logits, target, *, reduction="mean"):
    """``keras.ops.binary_crossentropy(target, logits, from_logits=True)``: -t log_sigmoid(z) - (1 - t)
    log_sigmoid(-z) per element, reduced."""
    check.binary_cross_entropy_with_logits(logits.shape, logits.dtype, target.shape, target.dtype,
                                           reduction=reduction)
    return _bce(logits, target, reduction=reduction)


@jit(static_argnames=("reduction",))
def _mse(pred, target, reduction):
    return _reduced(keras.ops.square(keras.ops.subtract(target, pred)), reduction)


def mse_loss(pred, target, *, reduction="mean"):
    """``keras.ops.square(target - pred)`` (``keras.losses.mean_squared_error``'s terms), reduced."""
    check.mse_loss(pred.shape, pred.dtype, target.shape, target.dtype, reduction=reduction)
    return _mse(pred, target, reduction=reduction)


@jit(static_argnames=("axis",))
def _kl(log_p, log_q, axis):
    p = keras.ops.moveaxis(keras.ops.exp(log_p), axis, -1)
    q = keras.ops.moveaxis(keras.ops.exp(log_q), axis, -1)
    return keras.losses.kl_divergence(p, q)


def kl_divergence(log_p, log_q, *, axis=-1):
    """``keras.losses.kl_divergence(exp(log_p), exp(log_q))`` over ``axis`` (moved last): sum p log(p / q),
    Keras clipping both probabilities to [epsilon, 1] first (``keras.config.epsilon()``, 1e-7)."""
    axis = check.kl_divergence(log_p.shape, log_p.dtype, log_q.shape, log_q.dtype, axis=axis)
    return _kl(log_p, log_q, axis=axis)
