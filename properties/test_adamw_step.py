"""Properties of adamw_step (docs/contract.md 3.4 and section 4, "Optimizers").

Compared per element against the operand scale (see :mod:`properties.optim_common`, which holds the family's
sizes, strategies, float64 references, the properties it shares with adam_step and helpers).
"""
from __future__ import annotations

import numpy as np

from properties import strategies
from properties.assertions import assert_equal
from properties.optim_common import _adam_check, _call, _close_scaled, _register_adam, adam_inputs, adam_reference
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import prop


_register_adam("adamw_step", __name__)


@strategies.composite
def adamw_zero_grad_inputs(draw, dtype):
    case = draw(adam_inputs(dtype, "adamw_step", state="zeros", weight_decays=(1e-2, 0.1, 0.5)))
    case["config"]["lr"] = draw(strategies.sampled_from((1e-3, 0.1, 0.5, 2.0)), label="lr")
    case["step"] = draw(strategies.sampled_from((1, 2, 10)), label="step")
    return case


@prop("adamw_step", "zero_gradient_is_pure_decay", inputs=adamw_zero_grad_inputs,
      statement="With a zero gradient and zero moments, one adamw_step (any step index) gives exactly "
                "param * (1 - lr * weight_decay): the decay is decoupled (not added to the gradient), scaled by lr "
                "and proportional to the param; exp_avg and exp_avg_sq stay 0.")
def adamw_pure_decay(subject, case):
    p, m, v, cfg = case["param"], case["exp_avg"], case["exp_avg_sq"], case["config"]
    zero = np.zeros_like(p)
    new_p, new_m, new_v = _call(subject, "adamw_step", p, zero, m, v, case["step"], cfg)
    p64 = p.astype(np.float64)
    factor = 1 - cfg["lr"] * cfg["weight_decay"]
    scale = np.abs(p64) * (1 + cfg["lr"] * cfg["weight_decay"])
    _close_scaled(subject.expect(new_p, shape=p.shape), p64 * factor, scale, dtype=subject.dtype,
                  what="adamw_step(grad=0) vs param * (1 - lr * weight_decay)")
    assert_equal(subject.expect(new_m, shape=p.shape).astype(np.float64), np.zeros(p.shape),
                 what="exp_avg after grad 0")
    assert_equal(subject.expect(new_v, shape=p.shape).astype(np.float64), np.zeros(p.shape),
                 what="exp_avg_sq after grad 0")


@prop("adamw_step", "weight_decay_zero_equals_adam",
      inputs=lambda d: adam_inputs(d, "adamw_step", weight_decays=(0.0,)), needs=("adam_step",),
      statement="adamw_step with weight_decay=0 equals adam_step with weight_decay=0 (param, exp_avg, exp_avg_sq) "
                "within the dtype's tolerance of the operand scales.")
def adamw_equals_adam(subject, case):
    p, g, m, v, step, cfg = (case[k] for k in ("param", "grads", "exp_avg", "exp_avg_sq", "step", "config"))
    a = _call(subject, "adam_step", p, g[0], m, v, step, cfg)
    w = _call(subject, "adamw_step", p, g[0], m, v, step, cfg)
    (_, _, _, *scales), = adam_reference(p, g, m, v, step, decoupled=False, dtype=subject.dtype, **cfg)
    a = [subject.expect(x, shape=p.shape, what="adam_step output").astype(np.float64) for x in a]
    _adam_check(subject, w, (*a, *scales), "adamw_step(weight_decay=0) vs adam_step:")
