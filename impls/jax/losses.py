"""Losses (SPEC 3.3) for the JAX implementation, from ``jax.numpy`` primitives (no ``jax.nn``, optax).

Arguments are validated in Python, then a kernel jitted with its options static does the math. Half-precision
inputs are computed in float32 and the result rounded back once.
"""

import jax
import jax.numpy as jnp
import numpy as np

from .._validate import losses as V
from ._util import around_axis, as_array, compute_dtype, convert, reshape, upcast
from .activations import _log_sum_exp
from ._jit import jit

__all__ = ["cross_entropy", "binary_cross_entropy_with_logits", "mse_loss", "kl_divergence"]


@jit(static_argnames=("dtype",))
def _mean_and_sum(loss, dtype):
    """The mean and the sum over every element, rounded to ``dtype``: one kernel for both reductions, so a
    shape compiles once (and its pullback once), not once per reduction."""
    return loss.mean().astype(dtype), loss.sum().astype(dtype)


def _reduce(loss, reduction, dtype):
    """``mean``/``sum`` over every element, or ``none``, rounded to ``dtype``. A kernel of its own, shared by
    every loss: the loss kernels then compile once per shape, not once per shape and reduction; ``none`` only
    rounds (on the host: no kernel at all)."""
    if reduction == "none":
        return convert(loss, dtype)
    mean, total = _mean_and_sum(loss, dtype=dtype)
    return mean if reduction == "mean" else total


@jit(static_argnames=("dtype",))
def _mean_over(loss, count, dtype):
    """``sum(loss) / count`` (cross-entropy's mean over the rows that are not ignored), rounded to ``dtype``."""
    return (loss.sum() / count).astype(dtype)


@jit(static_argnames=("smoothing",))
def _cross_entropy(logits, target, ignore_index, label_smoothing, *, smoothing):
    """Per-row losses (0 for ignored rows) and the number of rows not ignored, in the compute dtype."""
    x = upcast(logits)
    # the shift's gradient cancels exactly; stopping it avoids rounding noise from max's tie-splitting
    z = x - jax.lax.stop_gradient(x.max(axis=1, keepdims=True))
    lse = _log_sum_exp(z, 1)[:, 0]  # log1p of the others' terms: a confident row's loss stays accurate
    ignored = target == ignore_index
    safe_target = jnp.where(ignored, 0, target)
    loss = lse - jnp.take_along_axis(z, safe_target[:, None], axis=1)[:, 0]
    if smoothing:
        # static branch, not 0 * smooth: mean_c(z) may overflow for huge spreads, and 0 * inf is NaN
        loss = (1.0 - label_smoothing) * loss + label_smoothing * (lse - z.mean(axis=1))
    loss = jnp.where(ignored, 0.0, loss)
    return loss, (~ignored).sum().astype(loss.dtype)


def cross_entropy(logits, target, *, ignore_index=-100, label_smoothing=0.0, reduction="mean"):
    """Per row ``(1 - ls) * (lse - z[t]) + ls * mean_c(lse - z[c])`` with ``lse = logsumexp(z)``.

    Rows with ``target == ignore_index`` give 0; ``mean`` divides by the number of other rows (NaN when every
    row is ignored, as in PyTorch).
    """
    logits, target = as_array(logits), as_array(target)
    V.cross_entropy(logits.shape, logits.dtype, target.shape, target.dtype, ignore_index=ignore_index,
                    label_smoothing=label_smoothing, reduction=reduction)
    if not isinstance(target, jax.core.Tracer):  # traced targets have no values to check
        V.cross_entropy_targets(np.asarray(target), logits.shape[1], ignore_index)
    ls = float(label_smoothing)
    loss, counted = _cross_entropy(logits, target, int(ignore_index), ls, smoothing=ls != 0.0)
    if reduction == "mean":
        return _mean_over(loss, counted, dtype=logits.dtype)
    return _reduce(loss, reduction, dtype=logits.dtype)


@jit
def _bce_with_logits(logits, target):
    dtype = jnp.result_type(logits.dtype, target.dtype)
    x, t = logits.astype(compute_dtype(dtype)), target.astype(compute_dtype(dtype))
    pos = x >= 0
    xp, xn = jnp.where(pos, x, 0.0), jnp.where(pos, 0.0, x)
    loss = jnp.where(pos, xp * (1 - t) + jnp.log1p(jnp.exp(-xp)), jnp.log1p(jnp.exp(xn)) - xn * t)
    return loss


def binary_cross_entropy_with_logits(logits, target, *, reduction="mean"):
    """``max(x, 0) - x * t + log1p(exp(-|x|))``, finite for every finite x.

    Written per sign of x with the other branch fed 0, so that the gradient at x = 0 is ``sigmoid(0) - t``
    (JAX's ``abs`` has derivative 1 at 0) and no branch ever sees exp overflow.
    """
    logits, target = as_array(logits), as_array(target)
    V.binary_cross_entropy_with_logits(logits.shape, logits.dtype, target.shape, target.dtype,
                                       reduction=reduction)
    return _reduce(_bce_with_logits(logits, target), reduction,
                   dtype=jnp.result_type(logits.dtype, target.dtype))


@jit
def _mse_loss(pred, target):
    dtype = jnp.result_type(pred.dtype, target.dtype)
    diff = pred.astype(compute_dtype(dtype)) - target.astype(compute_dtype(dtype))
    return diff * diff


def mse_loss(pred, target, *, reduction="mean"):
    """``(pred - target) ** 2`` element-wise, then reduced."""
    pred, target = as_array(pred), as_array(target)
    V.mse_loss(pred.shape, pred.dtype, target.shape, target.dtype, reduction=reduction)
    return _reduce(_mse_loss(pred, target), reduction, dtype=jnp.result_type(pred.dtype, target.dtype))


@jit
def _kl_divergence(log_p, log_q):
    """The KL terms summed over axis 1 of ``(before, n, after)`` inputs."""
    dtype = jnp.result_type(log_p.dtype, log_q.dtype)
    lp, lq = log_p.astype(compute_dtype(dtype)), log_q.astype(compute_dtype(dtype))
    p = jnp.exp(lp)
    zero = p == 0
    # the difference is masked before the product too: -inf - -inf is NaN and would poison the gradient
    diff = jnp.where(zero, 0.0, lp - lq)
    return (p * diff).sum(axis=1).astype(dtype)


def kl_divergence(log_p, log_q, *, axis=-1):
    """``sum(p * (log_p - log_q), axis)`` with ``p = exp(log_p)``; terms with ``p == 0`` count as 0. The kernel
    sums over axis 1 of the inputs seen as ``(before, n, after)`` (:func:`around_axis`, on the host)."""
    log_p, log_q = as_array(log_p), as_array(log_q)
    axis = V.kl_divergence(log_p.shape, log_p.dtype, log_q.shape, log_q.dtype, axis=axis)
    out = _kl_divergence(around_axis(log_p, axis), around_axis(log_q, axis))
    return reshape(out, log_p.shape[:axis] + log_p.shape[axis + 1:])
