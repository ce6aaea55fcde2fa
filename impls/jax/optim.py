"""Optimizer steps (SPEC 3.4) for the JAX implementation, written out (no optax).

One functional step each, in ``torch.optim``'s order of operations. Hyperparameters enter the jitted kernels
as traced scalars (a new learning rate does not recompile); only the code path (decay on/off, momentum on/off,
nesterov, first step) is static. Half-precision arrays are updated in float32 and rounded back.
"""

import jax.numpy as jnp

from .._validate import optim as V
from ._util import as_array, compute_dtype
from ._jit import jit

__all__ = ["sgd_step", "adam_step", "adamw_step"]


@jit(static_argnames=("decay", "use_momentum", "first", "nesterov"))
def _sgd(param, grad, buf, lr, momentum, dampening, weight_decay, *, decay, use_momentum, first, nesterov):
    dtype = compute_dtype(param.dtype)
    p, g = param.astype(dtype), grad.astype(dtype)
    if decay:
        g = g + weight_decay * p
    new_buf = None
    if use_momentum:
        # the first buffer is the (decayed) gradient itself, not (1 - dampening) * grad
        b = g if first else momentum * buf.astype(dtype) + (1 - dampening) * g
        g = g + momentum * b if nesterov else b
        new_buf = b.astype(param.dtype if first else buf.dtype)
    return (p - lr * g).astype(param.dtype), new_buf


def sgd_step(param, grad, momentum_buffer, *, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    """``g = grad + wd * param``; ``buf = g`` on the first step, else ``momentum * buf + (1 - dampening) * g``;
    ``param - lr * (g + momentum * buf if nesterov else buf)``. Without momentum the buffer comes back as given.
    """
    param, grad = as_array(param), as_array(grad)
    buf = None if momentum_buffer is None else as_array(momentum_buffer)
    V.sgd_step(param.shape, param.dtype, grad.shape, grad.dtype,
               None if buf is None else buf.shape, None if buf is None else buf.dtype,
               lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov, weight_decay=weight_decay)
    use_momentum = float(momentum) != 0
    new_param, new_buf = _sgd(param, grad, buf if use_momentum else None, float(lr), float(momentum),
                              float(dampening), float(weight_decay), decay=float(weight_decay) != 0,
                              use_momentum=use_momentum, first=buf is None, nesterov=bool(nesterov))
    return new_param, new_buf if use_momentum else momentum_buffer


@jit(static_argnames=("decay", "decoupled"))
def _adam(param, grad, exp_avg, exp_avg_sq, lr, beta1, beta2, eps, weight_decay, step_size, bc2_sqrt, *,
          decay, decoupled):
    dtype = compute_dtype(param.dtype)
    p, g = param.astype(dtype), grad.astype(dtype)
    if decay:
        if decoupled:
            p = p * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * p
    m = beta1 * exp_avg.astype(dtype) + (1 - beta1) * g
    v = beta2 * exp_avg_sq.astype(dtype) + (1 - beta2) * g * g
    # torch's formulation: eps is added after sqrt(v) is divided by sqrt(bias_correction2)
    denom = jnp.sqrt(v) / bc2_sqrt + eps
    p = p - step_size * (m / denom)
    return p.astype(param.dtype), m.astype(exp_avg.dtype), v.astype(exp_avg_sq.dtype)


def _adam_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, betas, eps, weight_decay, decoupled, fn):
    """Validate, fold the bias corrections into Python floats, run the shared kernel."""
    param, grad = as_array(param), as_array(grad)
    exp_avg, exp_avg_sq = as_array(exp_avg), as_array(exp_avg_sq)
    step = V.adam_step(param.shape, param.dtype, grad.shape, grad.dtype, exp_avg.shape, exp_avg.dtype,
                       exp_avg_sq.shape, exp_avg_sq.dtype, step,
                       lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, fn=fn)
    lr, eps, weight_decay = float(lr), float(eps), float(weight_decay)
    beta1, beta2 = float(betas[0]), float(betas[1])
    # bias corrections in Python float64, as torch.optim does for a plain (non-capturable) step
    step_size = lr / (1 - beta1**step)
    bc2_sqrt = (1 - beta2**step) ** 0.5
    return _adam(param, grad, exp_avg, exp_avg_sq, lr, beta1, beta2, eps, weight_decay, step_size, bc2_sqrt,
                 decay=weight_decay != 0, decoupled=decoupled)


def adam_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    """``g = grad + wd * param``; ``m = b1 m + (1-b1) g``; ``v = b2 v + (1-b2) g^2``;
    ``param - lr / (1 - b1^step) * m / (sqrt(v) / sqrt(1 - b2^step) + eps)``."""
    return _adam_step(param, grad, exp_avg, exp_avg_sq, step, lr=lr, betas=betas, eps=eps,
                      weight_decay=weight_decay, decoupled=False, fn="adam_step")


def adamw_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    """``param *= 1 - lr * wd`` (decoupled decay), then the Adam update of ``adam_step`` without L2."""
    return _adam_step(param, grad, exp_avg, exp_avg_sq, step, lr=lr, betas=betas, eps=eps,
                      weight_decay=weight_decay, decoupled=True, fn="adamw_step")
