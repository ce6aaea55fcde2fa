"""A backend whose forward passes are the correct NumPy ones but whose ``vjp`` ignores the cotangent: it
returns the gradient of ``sum(f(x))`` (as if the incoming gradient were all ones) for any cotangent.

Real bug class: a hand-written backward that forgets to multiply by ``grad_output`` (a custom autograd
Function returning ``d f / d x`` summed, or ``torch.autograd.grad(y.sum(), x)`` where ``grad_outputs=c`` was
meant). Right for the loss-at-the-top case (cotangent 1), wrong everywhere else. The gradient itself is
computed by central differences in float64, so only the planted bug differs. Caught by: every
``vjp_matches_finite_differences`` property (and the softmax and cross-entropy gradient properties).
"""
import numpy as np

from impls.numpy import *  # noqa: F401,F403  (every component, correct)
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-autodiff-vjp-ignores-cotangent"
DTYPES = ("float64",)  # its finite differences run in float64 (a float32 model's parameters would not be widened)
CATCHES = ("softmax:vjp_rows_sum_to_zero",
           "log_softmax:vjp_rows_sum_to_zero",
           "sigmoid:vjp_matches_finite_differences",
           "tanh:vjp_matches_finite_differences",
           "silu:vjp_matches_finite_differences",
           "gelu:vjp_matches_finite_differences",
           "attention_weights:vjp_matches_finite_differences",
           "scaled_dot_product_attention:vjp_matches_finite_differences",
           "multi_head_attention:vjp_matches_finite_differences",
           "mha_decode:vjp_matches_finite_differences",
           "feed_forward:vjp_matches_finite_differences",
           "bert_embeddings:vjp_matches_finite_differences",
           "cross_entropy:gradient_is_softmax_minus_target",
           "binary_cross_entropy_with_logits:vjp_matches_finite_differences",
           "mse_loss:vjp_matches_finite_differences",
           "kl_divergence:vjp_matches_finite_differences",
           "batch_norm:vjp_matches_finite_differences",
           "layer_norm:vjp_matches_finite_differences",
           "instance_norm:vjp_matches_finite_differences",
           "group_norm:vjp_matches_finite_differences",
           "rms_norm:vjp_matches_finite_differences",
           "batch_norm:vjp_orthogonal_to_invariances",
           "layer_norm:vjp_orthogonal_to_invariances",
           "instance_norm:vjp_orthogonal_to_invariances",
           "group_norm:vjp_orthogonal_to_invariances",
           "rms_norm:vjp_orthogonal_to_invariances",
           "rope:vjp_matches_finite_differences")


def vjp(fn, primals, cotangent):
    wide = [np.asarray(p, dtype=np.float64) for p in primals]
    c = np.ones_like(np.asarray(cotangent, dtype=np.float64))  # BUG: the cotangent is ignored
    grads = []
    for k, x in enumerate(wide):
        g = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            h = 1e-6 * max(1.0, abs(float(x[i])))
            up, down = list(wide), list(wide)
            up[k], down[k] = x.copy(), x.copy()
            up[k][i] += h
            down[k][i] -= h
            diff = np.asarray(fn(*up), dtype=np.float64) - np.asarray(fn(*down), dtype=np.float64)
            g[i] = float(np.sum(np.where(np.isfinite(diff), c * diff, 0.0))) / (2 * h)
        grads.append(g.astype(np.asarray(primals[k]).dtype))
    return tuple(grads)
