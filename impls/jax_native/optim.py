"""One step of optax's ``sgd``, ``adam`` and ``adamw`` from a state given in PyTorch's terms.

The PyTorch state (momentum buffer, exp_avg, exp_avg_sq, 1-based step) is set into the optimizer's own
state (``TraceState.trace``, ``ScaleByAdamState.mu/nu/count``); L2 weight decay, which optax's ``sgd`` and
``adam`` lack, is ``optax.add_decayed_weights`` chained in front, which adds ``wd * param`` to the gradient
as torch does.
"""

import jax
import jax.numpy as jnp
import optax
from optax import tree_utils

from impls._jax_jit import jit
from impls._validate import optim as check

__all__ = ["sgd_step", "adam_step", "adamw_step"]


def _apply(opt, param, grad, **state):
    """One ``opt`` update from ``opt.init(param)`` with the fields ``state`` set; the new param and state."""
    current = tree_utils.tree_set(opt.init(param), **state)
    updates, new_state = opt.update(grad, current, param)
    return optax.apply_updates(param, updates), new_state


@jit(static_argnames=("use_momentum", "nesterov"))
def _sgd(param, grad, buffer, lr, momentum, weight_decay, use_momentum, nesterov):
    # optax's trace starts at zeros, so the first buffer is g' as in torch.
    buffer = jnp.zeros_like(param) if buffer is None else buffer
    opt = optax.chain(optax.add_decayed_weights(weight_decay),
                      optax.sgd(lr, momentum=momentum if use_momentum else None, nesterov=nesterov))
    if not use_momentum:
        return _apply(opt, param, grad)[0], None
    new_param, state = _apply(opt, param, grad, trace=buffer)
    return new_param, tree_utils.tree_get(state, "trace")


def sgd_step(param, grad, momentum_buffer, *, lr, momentum=0.0, dampening=0.0, nesterov=False,
             weight_decay=0.0):
    """``optax.sgd`` after ``add_decayed_weights``: g' = g + wd p; b = momentum b + g'; p -= lr (g' + momentum b
    if nesterov else b); plain p -= lr g' when momentum is 0."""
    buffer_meta = (None, None) if momentum_buffer is None else (momentum_buffer.shape, momentum_buffer.dtype)
    check.sgd_step(param.shape, param.dtype, grad.shape, grad.dtype, *buffer_meta, lr=lr, momentum=momentum,
                   dampening=dampening, nesterov=nesterov, weight_decay=weight_decay)
    if dampening != 0 and momentum != 0:
        raise NotImplementedError("optax.sgd has no dampening")
    use_momentum = momentum != 0
    new_param, new_buffer = _sgd(param, grad, momentum_buffer, lr, momentum, weight_decay, use_momentum,
                                 bool(nesterov))
    # torch keeps no buffer without momentum: the one passed in comes back as it was.
    return new_param, new_buffer if use_momentum else momentum_buffer


def _adam_state(exp_avg, exp_avg_sq, step):
    """optax's Adam fields for the state at the end of step ``step - 1``."""
    return dict(mu=exp_avg, nu=exp_avg_sq, count=jnp.asarray(step - 1, jnp.int32))


@jit
def _adam(param, grad, exp_avg, exp_avg_sq, step, lr, b1, b2, eps, weight_decay):
    opt = optax.chain(optax.add_decayed_weights(weight_decay), optax.adam(lr, b1=b1, b2=b2, eps=eps))
    new_param, state = _apply(opt, param, grad, **_adam_state(exp_avg, exp_avg_sq, step))
    return new_param, tree_utils.tree_get(state, "mu"), tree_utils.tree_get(state, "nu")


def adam_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    """``optax.adam`` after ``add_decayed_weights``: g' = g + wd p; m = b1 m + (1 - b1) g';
    v = b2 v + (1 - b2) g'^2; p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)."""
    step = check.adam_step(param.shape, param.dtype, grad.shape, grad.dtype, exp_avg.shape, exp_avg.dtype,
                           exp_avg_sq.shape, exp_avg_sq.dtype, step, lr=lr, betas=betas, eps=eps,
                           weight_decay=weight_decay)
    return _adam(param, grad, exp_avg, exp_avg_sq, step, lr, betas[0], betas[1], eps, weight_decay)


@jit
def _adamw(param, grad, exp_avg, exp_avg_sq, step, lr, b1, b2, eps, weight_decay):
    opt = optax.adamw(lr, b1=b1, b2=b2, eps=eps, weight_decay=weight_decay)
    new_param, state = _apply(opt, param, grad, **_adam_state(exp_avg, exp_avg_sq, step))
    return new_param, tree_utils.tree_get(state, "mu"), tree_utils.tree_get(state, "nu")


def adamw_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, betas=(0.9, 0.999), eps=1e-8,
               weight_decay=0.01):
    """``optax.adamw``: p -= lr * (adam_update(g) + wd * p), which for one step equals torch's
    p *= 1 - lr wd followed by the Adam update."""
    step = check.adam_step(param.shape, param.dtype, grad.shape, grad.dtype, exp_avg.shape, exp_avg.dtype,
                           exp_avg_sq.shape, exp_avg_sq.dtype, step, lr=lr, betas=betas, eps=eps,
                           weight_decay=weight_decay, fn="adamw_step")
    return _adamw(param, grad, exp_avg, exp_avg_sq, step, lr, betas[0], betas[1], eps, weight_decay)
