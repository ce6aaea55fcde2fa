"""Properties of sgd_step (docs/contract.md 3.4 and section 4, "Optimizers").

Compared per element against the operand scale (see :mod:`properties.optim_common`, which holds the family's
sizes, strategies, float64 references and helpers).
"""
from __future__ import annotations

import numpy as np

from properties import strategies
from properties.assertions import assert_equal, assert_rejects, require
from properties.optim_common import (DAMPENINGS, GRAD_REGIMES, GRAD_SCALES, LRS, MAX_STEPS, MOMENTA, OPT_SHAPES,
                                     PARAM_REGIMES, WEIGHT_DECAYS, _close_scaled, _grads, _limit, sgd_reference)
from properties.oracle import expected
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import FLOATS, prop


@strategies.composite
def sgd_config(draw):
    momentum = draw(strategies.sampled_from(MOMENTA), label="momentum")
    nesterov = momentum > 0 and draw(strategies.booleans(), label="nesterov")
    dampening = 0.0 if nesterov or momentum == 0 else draw(strategies.sampled_from(DAMPENINGS), label="dampening")
    return {"lr": draw(strategies.sampled_from(LRS), label="lr"), "momentum": momentum, "dampening": dampening,
            "nesterov": nesterov, "weight_decay": draw(strategies.sampled_from(WEIGHT_DECAYS), label="weight_decay")}


@strategies.composite
def sgd_inputs(draw, dtype, *, steps=(1, 1), config=None, buffers=True):
    shape = draw(strategies.sampled_from(OPT_SHAPES), label="shape")
    param = draw(strategies.arrays(shape, dtype, regimes=PARAM_REGIMES, label="param"))
    t = draw(strategies.integers(*steps), label="steps")
    grads = _grads(draw(strategies.seeds, label="grads.seed"), shape, dtype,
                   draw(strategies.sampled_from(GRAD_REGIMES), label="grads.regime"),
                   draw(strategies.sampled_from(GRAD_SCALES), label="grads.scale"), t, _limit(dtype, "sgd_step"))
    cfg = draw(config if config is not None else sgd_config())
    buffer = None
    if buffers and cfg["momentum"] and draw(strategies.booleans(), label="has buffer"):
        buffer = strategies.normal(shape, dtype, draw(strategies.seeds, label="buffer.seed"),
                                   scale=float(np.max(np.abs(grads[0]))))
    return {"param": param, "grads": grads, "momentum_buffer": buffer, "config": cfg}


def _sgd_check(subject, case, got, ref, what):
    p, buf = got
    want_p, want_buf, p_scale, buf_scale = ref
    _close_scaled(subject.expect(p, shape=want_p.shape, what=f"{what} param"), want_p, p_scale, dtype=subject.dtype,
                  what=f"{what} param")
    if want_buf is None:
        require(buf is None or case["momentum_buffer"] is not None,
                f"{what}: without momentum the buffer must come back as given (None), got {type(buf).__name__}")
    else:
        _close_scaled(subject.expect(buf, shape=want_buf.shape, what=f"{what} momentum_buffer"), want_buf, buf_scale,
                      dtype=subject.dtype, what=f"{what} momentum_buffer")


@prop("sgd_step", "matches_oracle", inputs=sgd_inputs, dtypes=FLOATS,
      statement="One sgd_step (momentum 0/0.5/0.9, dampening 0/0.1/0.5, Nesterov, weight decay, with and without "
                "a momentum buffer) equals the float64 NumPy oracle per element within the dtype's tolerance of "
                "the operand scale |param| + lr |step|.")
def sgd_oracle(subject, case):
    p, g, buf, cfg = case["param"], case["grads"][0], case["momentum_buffer"], case["config"]
    got = subject.sgd_step(p, g, buf, **cfg)
    want = expected("sgd_step", p, g, buf, **cfg)
    (_, _, p_scale, buf_scale), = sgd_reference(p, [g], buf, **cfg)
    ref = (np.asarray(want[0]), None if want[1] is None else np.asarray(want[1]), p_scale, buf_scale)
    if not cfg["momentum"] and buf is None:
        require(got[1] is None, "without momentum and without a buffer, sgd_step returned a buffer")
    _sgd_check(subject, case, got, ref, "sgd_step vs float64 oracle:")


@prop("sgd_step", "momentum_zero_is_plain_sgd",
      inputs=lambda d: sgd_inputs(d, config=sgd_config().map(lambda c: dict(c, momentum=0.0, nesterov=False))),
      statement="With momentum 0 (any dampening), sgd_step gives param - lr * (grad + weight_decay * param) and "
                "returns the momentum buffer it was given (None stays None, an array comes back unchanged).")
def sgd_plain(subject, case):
    p, g, cfg = case["param"], case["grads"][0], case["config"]
    buf = strategies.normal(p.shape, subject.dtype, 7) if case["momentum_buffer"] is None and p.size > 3 else None
    new_p, new_buf = subject.sgd_step(p, g, buf, **cfg)
    p64, g64 = p.astype(np.float64), g.astype(np.float64)
    want = p64 - cfg["lr"] * (g64 + cfg["weight_decay"] * p64)
    scale = np.abs(p64) + cfg["lr"] * (np.abs(g64) + cfg["weight_decay"] * np.abs(p64))
    _close_scaled(subject.expect(new_p, shape=p.shape), want, scale, dtype=subject.dtype,
                  what="sgd_step(momentum=0) vs param - lr (grad + wd param)")
    if buf is None:
        require(new_buf is None, f"sgd_step(momentum=0) turned a None buffer into {type(new_buf).__name__}")
    else:
        assert_equal(subject.expect(new_buf, shape=buf.shape, what="momentum_buffer"), buf,
                     what="the momentum buffer passed through sgd_step(momentum=0)")


@strategies.composite
def constant_gradient_inputs(draw, dtype):
    case = draw(sgd_inputs(dtype, config=sgd_config().map(
        lambda c: dict(c, dampening=0.0, weight_decay=0.0)), buffers=False))
    case["steps"] = draw(strategies.integers(1, 8), label="steps")
    return case


@prop("sgd_step", "constant_gradient_buffer_is_geometric_sum", inputs=constant_gradient_inputs, dtypes=FLOATS,
      statement="Under a constant gradient g (dampening 0, no weight decay, Nesterov or not), the momentum buffer "
                "after t steps from None is g (1 - mu^t) / (1 - mu), the geometric sum of the past gradients "
                "(g itself for mu = 0 when a buffer comes back).")
def sgd_constant_gradient(subject, case):
    p, g, cfg, t = case["param"], case["grads"][0], case["config"], case["steps"]
    mu, buf = cfg["momentum"], None
    for _ in range(t):
        p, buf = subject.sgd_step(p, g, buf, **cfg)
    if mu == 0:
        return  # no buffer is kept (momentum_zero_is_plain_sgd states what comes back)
    g64 = g.astype(np.float64)
    want = g64 * (1 - mu ** t) / (1 - mu)
    _close_scaled(subject.expect(buf, shape=g.shape, what="momentum_buffer"), want, np.abs(g64) / (1 - mu),
                  dtype=subject.dtype, what=f"momentum buffer after {t} steps of a constant gradient", n=t)


@prop("sgd_step", "trajectory_matches_oracle", inputs=lambda d: sgd_inputs(d, steps=(1, MAX_STEPS), buffers=False),
      max_examples=20,
      statement="1 to 5 sgd_steps, each fed the previous step's param and momentum buffer (first buffer None), "
                "with gradients from 1e-8 to 1e3 and every momentum/dampening/Nesterov/weight-decay combination, "
                "stay within the dtype's tolerance of the float64 oracle's trajectory after every step.")
def sgd_trajectory(subject, case):
    cfg = case["config"]
    p, buf = case["param"], case["momentum_buffer"]
    wp, wbuf = p.astype(np.float64), None if buf is None else buf.astype(np.float64)
    refs = sgd_reference(p, case["grads"], buf, **cfg)
    for k, (g, ref) in enumerate(zip(case["grads"], refs)):
        p, buf = subject.sgd_step(p, g, buf, **cfg)
        wp, wbuf = expected("sgd_step", wp, g, wbuf, **cfg)
        wp, wbuf = np.asarray(wp), None if wbuf is None else np.asarray(wbuf)
        _sgd_check(subject, case, (p, buf), (wp, wbuf, ref[2], ref[3]), f"after step {k + 1}:")
        p = subject.expect(p, shape=wp.shape)


@prop("sgd_step", "rejects_bad_input", inputs=sgd_inputs, dtypes=("float32",), max_examples=5,
      statement="sgd_step raises ValueError/TypeError for a negative lr, momentum or weight decay, Nesterov "
                "without momentum or with dampening, and a grad or momentum buffer of another shape.")
def sgd_rejects(subject, case):
    p, g = case["param"], case["grads"][0]
    ok = dict(lr=0.1, momentum=0.9, dampening=0.0, nesterov=False, weight_decay=0.0)
    fn = "sgd_step"
    assert_rejects(subject, fn, p, g, None, why="lr=-0.1", **dict(ok, lr=-0.1))
    assert_rejects(subject, fn, p, g, None, why="momentum=-0.5", **dict(ok, momentum=-0.5))
    assert_rejects(subject, fn, p, g, None, why="weight_decay=-0.01", **dict(ok, weight_decay=-0.01))
    assert_rejects(subject, fn, p, g, None, why="nesterov=True with momentum=0",
                   **dict(ok, momentum=0.0, nesterov=True))
    assert_rejects(subject, fn, p, g, None, why="nesterov=True with dampening=0.1",
                   **dict(ok, nesterov=True, dampening=0.1))
    longer = np.concatenate([g.reshape(-1), g.reshape(-1)[:1]])
    assert_rejects(subject, fn, p, longer, None, why=f"grad {longer.shape} for param {p.shape}", **ok)
    assert_rejects(subject, fn, p, g, longer, why=f"momentum_buffer {longer.shape} for param {p.shape}", **ok)
