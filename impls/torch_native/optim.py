"""One step of ``torch.optim.SGD``/``Adam``/``AdamW``, with the state passed in and handed back.

Each call builds the optimizer on a copy of ``param``, loads the given state into ``optimizer.state``,
runs ``.step()`` once and reads the new parameter and state back.
"""
import torch

from impls._validate import optim as check

__all__ = ["sgd_step", "adam_step", "adamw_step"]


def _leaf(param, grad):
    """A fresh leaf copy of ``param`` carrying ``grad``, for an optimizer to update in place."""
    p = param.detach().clone()
    p.grad = grad.detach().clone()
    return p


def sgd_step(param, grad, momentum_buffer, *, lr, momentum=0.0, dampening=0.0, nesterov=False,
             weight_decay=0.0):
    """``torch.optim.SGD``: g' = g + wd p; b = momentum b + (1 - dampening) g' (b = g' at first);
    p -= lr (g' + momentum b if nesterov else b); plain p -= lr g' when momentum is 0."""
    buffer_meta = (None, None) if momentum_buffer is None else (momentum_buffer.shape, momentum_buffer.dtype)
    check.sgd_step(param.shape, param.dtype, grad.shape, grad.dtype, *buffer_meta, lr=lr, momentum=momentum,
                   dampening=dampening, nesterov=nesterov, weight_decay=weight_decay)
    p = _leaf(param, grad)
    opt = torch.optim.SGD([p], lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov,
                          weight_decay=weight_decay)
    if momentum_buffer is not None:
        opt.state[p]["momentum_buffer"] = momentum_buffer.detach().clone()
    opt.step()
    # With momentum 0 torch keeps no buffer: the one passed in comes back as it was.
    return p.detach(), opt.state[p].get("momentum_buffer", momentum_buffer)


def _adam_like(cls, fn, param, grad, exp_avg, exp_avg_sq, step, **options):
    """Run ``cls`` (Adam or AdamW) once from the state at the end of step ``step - 1``."""
    step = check.adam_step(param.shape, param.dtype, grad.shape, grad.dtype, exp_avg.shape, exp_avg.dtype,
                           exp_avg_sq.shape, exp_avg_sq.dtype, step, fn=fn, **options)
    p = _leaf(param, grad)
    opt = cls([p], **options)
    # torch keeps the step count as a float32 tensor and increments it before using it.
    opt.state[p].update(step=torch.tensor(float(step - 1)), exp_avg=exp_avg.detach().clone(),
                        exp_avg_sq=exp_avg_sq.detach().clone())
    opt.step()
    state = opt.state[p]
    return p.detach(), state["exp_avg"], state["exp_avg_sq"]


def adam_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    """``torch.optim.Adam``: g' = g + wd p; m = b1 m + (1 - b1) g'; v = b2 v + (1 - b2) g'^2;
    p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)."""
    return _adam_like(torch.optim.Adam, "adam_step", param, grad, exp_avg, exp_avg_sq, step, lr=lr, betas=betas,
                      eps=eps, weight_decay=weight_decay)


def adamw_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, betas=(0.9, 0.999), eps=1e-8,
               weight_decay=0.01):
    """``torch.optim.AdamW``: p *= 1 - lr wd, then the Adam update with g (decay decoupled)."""
    return _adam_like(torch.optim.AdamW, "adamw_step", param, grad, exp_avg, exp_avg_sq, step, lr=lr,
                      betas=betas, eps=eps, weight_decay=weight_decay)
