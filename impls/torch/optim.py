"""Optimizer steps (SPEC 3.4) for the PyTorch implementation, written out (no ``torch.optim``).

One functional step each, in ``torch.optim``'s order of operations; inputs are never modified (no in-place
ops). Half-precision tensors are updated in float32 and every result rounded back to its input's dtype.
"""
from .._validate import optim as V
from ._util import compute_dtype

__all__ = ["sgd_step", "adam_step", "adamw_step"]


def sgd_step(param, grad, momentum_buffer, *, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    """``g = grad + wd * param``; ``buf = g`` on the first step, else ``momentum * buf + (1 - dampening) * g``;
    ``param - lr * (g + momentum * buf if nesterov else buf)``. Without momentum the buffer comes back as given.
    """
    buf = momentum_buffer
    V.sgd_step(param.shape, param.dtype, grad.shape, grad.dtype,
               None if buf is None else buf.shape, None if buf is None else buf.dtype,
               lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov, weight_decay=weight_decay)
    lr, momentum, dampening, weight_decay = float(lr), float(momentum), float(dampening), float(weight_decay)
    dtype = compute_dtype(param.dtype)
    p, g = param.to(dtype), grad.to(device=param.device, dtype=dtype)
    if weight_decay != 0:
        g = g + weight_decay * p
    new_buf = momentum_buffer
    if momentum != 0:
        # the first buffer is the (decayed) gradient itself, not (1 - dampening) * grad
        b = g if buf is None else momentum * buf.to(device=param.device, dtype=dtype) + (1 - dampening) * g
        g = g + momentum * b if nesterov else b
        new_buf = b.to(param.dtype if buf is None else buf.dtype)
        if new_buf is grad:  # a no-op .to() hands back the input itself; the contract promises new arrays
            new_buf = new_buf.clone()
    return (p - lr * g).to(param.dtype), new_buf


def _adam(param, grad, exp_avg, exp_avg_sq, step, *, lr, betas, eps, weight_decay, decoupled, fn):
    """The shared Adam/AdamW update; ``decoupled`` picks AdamW's weight decay."""
    step = V.adam_step(param.shape, param.dtype, grad.shape, grad.dtype, exp_avg.shape, exp_avg.dtype,
                       exp_avg_sq.shape, exp_avg_sq.dtype, step,
                       lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, fn=fn)
    lr, eps, weight_decay = float(lr), float(eps), float(weight_decay)
    beta1, beta2 = float(betas[0]), float(betas[1])
    dtype = compute_dtype(param.dtype)
    p, g = param.to(dtype), grad.to(device=param.device, dtype=dtype)
    if weight_decay != 0:
        if decoupled:
            p = p * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * p
    m = beta1 * exp_avg.to(device=param.device, dtype=dtype) + (1 - beta1) * g
    v = beta2 * exp_avg_sq.to(device=param.device, dtype=dtype) + (1 - beta2) * g * g
    # bias corrections in Python float64, as torch.optim does for a plain (non-capturable) step
    bias_correction1 = 1 - beta1**step
    bias_correction2 = 1 - beta2**step
    # torch's formulation: eps is added after sqrt(v) is divided by sqrt(bias_correction2)
    denom = v.sqrt() / bias_correction2**0.5 + eps
    p = p - (lr / bias_correction1) * (m / denom)
    return p.to(param.dtype), m.to(exp_avg.dtype), v.to(exp_avg_sq.dtype)


def adam_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    """``g = grad + wd * param``; ``m = b1 m + (1-b1) g``; ``v = b2 v + (1-b2) g^2``;
    ``param - lr / (1 - b1^step) * m / (sqrt(v) / sqrt(1 - b2^step) + eps)``."""
    return _adam(param, grad, exp_avg, exp_avg_sq, step, lr=lr, betas=betas, eps=eps,
                 weight_decay=weight_decay, decoupled=False, fn="adam_step")


def adamw_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    """``param *= 1 - lr * wd`` (decoupled decay), then the Adam update of ``adam_step`` without L2."""
    return _adam(param, grad, exp_avg, exp_avg_sq, step, lr=lr, betas=betas, eps=eps,
                 weight_decay=weight_decay, decoupled=True, fn="adamw_step")
