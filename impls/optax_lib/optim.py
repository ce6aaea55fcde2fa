"""One step of ``optax.sgd``, ``optax.adam`` and ``optax.adamw`` from a state given in PyTorch's terms.

The catalogue's state is set into optax's own: the momentum buffer is ``TraceState.trace`` (optax's trace
starts at zeros, so a first step with no buffer gives the buffer g, as PyTorch's); Adam's ``exp_avg``,
``exp_avg_sq`` and 1-based ``step`` are ``ScaleByAdamState.mu``, ``nu`` and ``count = step - 1`` (the number
of updates already made). PyTorch's L2 ``weight_decay`` for SGD and Adam, which ``optax.sgd``/``optax.adam``
lack, is ``optax.add_decayed_weights(wd)`` chained in front, as optax users add it: it adds ``wd * param`` to
the gradient before the optimizer sees it, which is PyTorch's order. Each step is jitted once per static
configuration, with the optax version in the executable's name (the cache fingerprints only this package).
"""
import jax.numpy as jnp
import optax
from optax import tree_utils

from impls._jax_jit import library_kernels
from impls._validate import optim as check

__all__ = ["sgd_step", "adam_step", "adamw_step"]


#: ``@kernel(*static_argnames)``: jitted once per static configuration, the optax version in the cache entry's name
kernel = library_kernels("optax", optax.__version__)


def _step(opt, param, grad, **fields):
    """``opt.init(param)`` with ``fields`` set (``optax.tree_utils.tree_set``), one ``opt.update`` and
    ``optax.apply_updates``; the new param and state."""
    state = tree_utils.tree_set(opt.init(param), **fields)
    updates, state = opt.update(grad, state, param)
    return optax.apply_updates(param, updates), state


@kernel("use_momentum", "nesterov")
def _sgd(param, grad, buffer, lr, momentum, weight_decay, use_momentum, nesterov):
    opt = optax.chain(optax.add_decayed_weights(weight_decay),
                      optax.sgd(lr, momentum=momentum if use_momentum else None, nesterov=nesterov))
    if not use_momentum:  # optax.sgd without momentum keeps no trace
        return _step(opt, param, grad)[0], None
    new_param, state = _step(opt, param, grad, trace=jnp.zeros_like(param) if buffer is None else buffer)
    return new_param, tree_utils.tree_get(state, "trace")


def sgd_step(param, grad, momentum_buffer, *, lr, momentum=0.0, dampening=0.0, nesterov=False,
             weight_decay=0.0):
    """``optax.chain(optax.add_decayed_weights(wd), optax.sgd(lr, momentum, nesterov))``: g' = g + wd p;
    b = momentum b + g'; p -= lr (g' + momentum b if nesterov else b); p -= lr g' without momentum."""
    buffer = (None, None) if momentum_buffer is None else (momentum_buffer.shape, momentum_buffer.dtype)
    check.sgd_step(param.shape, param.dtype, grad.shape, grad.dtype, *buffer, lr=lr, momentum=momentum,
                   dampening=dampening, nesterov=nesterov, weight_decay=weight_decay)
    if dampening != 0 and momentum != 0:
        raise NotImplementedError("optax.sgd has no dampening")
    use_momentum = momentum != 0
    new_param, new_buffer = _sgd(param, grad, momentum_buffer, lr, momentum, weight_decay,
                                 use_momentum=use_momentum, nesterov=bool(nesterov))
    return new_param, new_buffer if use_momentum else momentum_buffer  # torch keeps no buffer then


def _adam_fields(exp_avg, exp_avg_sq, step):
    """``ScaleByAdamState`` after ``step - 1`` updates (``count`` is int32 in optax)."""
    return dict(mu=exp_avg, nu=exp_avg_sq, count=jnp.asarray(step - 1, jnp.int32))


def _moments(state):
    return tree_utils.tree_get(state, "mu"), tree_utils.tree_get(state, "nu")


@kernel()
def _adam(param, grad, exp_avg, exp_avg_sq, step, lr, b1, b2, eps, weight_decay):
    opt = optax.chain(optax.add_decayed_weights(weight_decay), optax.adam(lr, b1=b1, b2=b2, eps=eps))
    new_param, state = _step(opt, param, grad, **_adam_fields(exp_avg, exp_avg_sq, step))
    return (new_param, *_moments(state))


def adam_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    """``optax.chain(optax.add_decayed_weights(wd), optax.adam(lr, b1, b2, eps))``: g' = g + wd p;
    m = b1 m + (1 - b1) g'; v = b2 v + (1 - b2) g'^2; p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)."""
    step = check.adam_step(param.shape, param.dtype, grad.shape, grad.dtype, exp_avg.shape, exp_avg.dtype,
                           exp_avg_sq.shape, exp_avg_sq.dtype, step, lr=lr, betas=betas, eps=eps,
                           weight_decay=weight_decay)
    return _adam(param, grad, exp_avg, exp_avg_sq, step, lr, betas[0], betas[1], eps, weight_decay)


@kernel()
def _adamw(param, grad, exp_avg, exp_avg_sq, step, lr, b1, b2, eps, weight_decay):
    opt = optax.adamw(lr, b1=b1, b2=b2, eps=eps, weight_decay=weight_decay)
    new_param, state = _step(opt, param, grad, **_adam_fields(exp_avg, exp_avg_sq, step))
    return (new_param, *_moments(state))


def adamw_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, betas=(0.9, 0.999), eps=1e-8,
               weight_decay=0.01):
    """``optax.adamw(lr, b1, b2, eps, weight_decay)``: p -= lr (adam_update(g) + wd p), which for one step
    is PyTorch's p *= 1 - lr wd followed by the Adam update."""
    step = check.adam_step(param.shape, param.dtype, grad.shape, grad.dtype, exp_avg.shape, exp_avg.dtype,
                           exp_avg_sq.shape, exp_avg_sq.dtype, step, lr=lr, betas=betas, eps=eps,
                           weight_decay=weight_decay, fn="adamw_step")
    return _adamw(param, grad, exp_avg, exp_avg_sq, step, lr, betas[0], betas[1], eps, weight_decay)
