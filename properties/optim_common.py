"""Shared sizes, strategies, float64 references and helpers of the optimizer steps' property modules
(``properties/test_sgd_step.py``, ``test_adam_step.py``, ``test_adamw_step.py``; docs/contract.md 3.4 and section 4,
"Optimizers"): SGD, Adam and AdamW. Not a ``test_`` module: it registers no property itself
(:func:`_register_adam` registers the properties Adam and AdamW share in the module that calls it).

Every comparison is made per element against the magnitude of the operands whose rounding the result inherits
(the *operand scale*, tracked through the steps by :func:`sgd_reference` / :func:`adam_reference` in float64):
an update ``p - lr * u`` is right to a few ulps of ``|p| + lr |u|``, not of the (possibly cancelled) result;
Adam's step inherits the rounding of ``m`` and of ``sqrt(v)`` divided by its denominator, which is large only
where the gradient itself cancelled (L2 decay ``g + wd p`` ~ 0) — there the step's sign is genuinely uncertain.
Budget: :data:`properties.tolerances.OPTIMIZER_ULPS`.
"""
from __future__ import annotations

import math

import numpy as np

from properties import strategies
from properties.assertions import assert_close, assert_rejects, require
from properties.oracle import expected
from properties.registry import FLOATS, prop_in
from properties.tolerances import EPS, MAX, OPTIMIZER_ULPS, TINY, tolerance


#: parameter shapes drawn (few: JAX compiles each step kernel once per shape, dtype and code path)
OPT_SHAPES = ((3,), (2, 3), (4, 8))
LRS = (1e-3, 0.1, 1.0)
MOMENTA = (0.0, 0.5, 0.9)
DAMPENINGS = (0.0, 0.1, 0.5)
WEIGHT_DECAYS = (0.0, 1e-2, 0.5)
BETAS = ((0.9, 0.999), (0.5, 0.9), (0.0, 0.99))
EPSILONS = (1e-8, 1e-6)
#: gradient magnitudes: ordinary, small, near Adam's eps (|g| ~ 1e-6 .. 1e-8, where the placement of eps
#: decides the step) and large
GRAD_SCALES = (1.0, 1e-3, 1e-6, 1e-8, 1e3)
GRAD_REGIMES = ("normal", "integers", "wide", "tiny")
PARAM_REGIMES = ("normal", "integers", "offset", "wide")
MAX_STEPS = 5


def _close_scaled(actual, expected_, scale, *, dtype, what, n=1):
    """``|actual - expected| <= tol * (|expected| + scale)`` element-wise, with the per-element operand ``scale``
    and ``tol = tolerance(dtype, n=n, ulps=OPTIMIZER_ULPS)``; ``TINY`` absolute is allowed on top (results
    among the subnormals, flush-to-zero kernels). Failure figures are in units of the scale."""
    tol = tolerance(dtype, n=n, ulps=OPTIMIZER_ULPS)
    actual = np.asarray(actual, dtype=np.float64)
    expected_ = np.asarray(expected_, dtype=np.float64)
    scale = np.asarray(scale, dtype=np.float64) + TINY.get(dtype, 0.0) / tol
    assert_close(actual / scale, expected_ / scale, dtype=dtype, what=f"{what} (in units of the operand scale)",
                 floor=1.0, tol=tol)


def _grads(rng_seed, shape, dtype, regime, scale, steps, limit):
    """``steps`` gradients of ``regime`` times ``scale``, clipped to ``limit`` in magnitude (see :func:`_limit`)."""
    rng = strategies.rng(rng_seed)
    return [strategies.cast(np.clip(strategies.generate(shape, "float64", regime, int(rng.integers(2 ** 32))) * scale,
                                    -limit, limit),
                   dtype) for _ in range(steps)]


def _limit(dtype, component):
    """The largest gradient drawn: the true step must be representable in the dtype, intermediates included
    (a half-precision kernel may compute in half): ``g^2`` for Adam (sqrt(max)/8 leaves room for the state),
    ``g + momentum * buffer`` for SGD (max/16). Only float16 is affected (|g| <= 32 for Adam)."""
    return math.sqrt(MAX[dtype]) / 8 if component != "sgd_step" else MAX[dtype] / 16


# --- float64 references with operand scales -------------------------------------------------------------------
def sgd_reference(param, grads, buffer, *, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    """The SGD trajectory in float64 from the formula, with per-element operand scales: a list of
    ``(param, buffer, param_scale, buffer_scale)`` after each step."""
    p = param.astype(np.float64)
    scale = np.abs(p)
    buf = None if buffer is None else buffer.astype(np.float64)
    buf_scale = None if buffer is None else np.abs(buf)
    out = []
    for g in grads:
        g = g.astype(np.float64)
        gd = g + weight_decay * p
        g_op = np.abs(g) + weight_decay * scale
        if momentum:
            if buf is None:
                buf, buf_scale = gd, g_op
            else:
                buf = momentum * buf + (1 - dampening) * gd
                buf_scale = momentum * buf_scale + abs(1 - dampening) * g_op
            step = gd + momentum * buf if nesterov else buf
            step_op = g_op + momentum * buf_scale if nesterov else buf_scale
        else:
            step, step_op = gd, g_op
        p = p - lr * step
        scale = scale + lr * step_op
        out.append((p, buf, scale, buf_scale))
    return out


def adam_reference(param, grads, exp_avg, exp_avg_sq, step, *, lr, betas, eps, weight_decay, decoupled, dtype):
    """The Adam/AdamW trajectory in float64 from the formula (torch's: eps added to sqrt(v) / sqrt(bc2)), with
    per-element operand scales: a list of ``(param, m, v, param_scale, m_scale, v_scale)`` after each step.

    ``m`` inherits the rounding of ``b1 |m| + (1 - b1) |g|``; ``v`` of ``b2 v + (1 - b2) g^2``; ``sqrt(v)`` is off
    by ``min(V / (2 sqrt v), sqrt(V / eps))`` ulps of ``V``; the step ``lr/bc1 * m / denom`` by the rounding of
    ``m`` over ``denom`` plus ``|m| / denom`` times the relative error of ``denom``. Under L2 decay the
    parameter's own error enters the gradient (``wd * param_scale``)."""
    b1, b2 = betas
    e_d = EPS[dtype]
    p = param.astype(np.float64)
    scale = np.abs(p)
    m, v = exp_avg.astype(np.float64), exp_avg_sq.astype(np.float64)
    m_op, v_op = np.abs(m), np.abs(v)
    out = []
    for k, g in enumerate(grads):
        t = step + k
        g = g.astype(np.float64)
        if weight_decay and decoupled:
            p = p * (1 - lr * weight_decay)
            scale = scale * (1 + lr * weight_decay)  # p - lr wd p or p (1 - lr wd): either's rounding
        if weight_decay and not decoupled:
            gd, g_op = g + weight_decay * p, np.abs(g) + weight_decay * scale
        else:
            gd, g_op = g, np.abs(g)
        m = b1 * m + (1 - b1) * gd
        v = b2 * v + (1 - b2) * gd * gd
        m_op = b1 * m_op + (1 - b1) * g_op
        v_op = b2 * v_op + (1 - b2) * g_op * g_op
        bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
        root = np.sqrt(v)
        denom = root / math.sqrt(bc2) + eps
        u = lr / bc1 * m / denom
        with np.errstate(divide="ignore", invalid="ignore"):
            root_err = np.where(v_op == 0, 0.0, np.minimum(np.where(root > 0, v_op / (2 * root), np.inf),
                                                           np.sqrt(v_op / e_d)))
        denom_err = root_err / math.sqrt(bc2)
        u_op = lr / bc1 * (m_op + np.abs(m) * denom_err / denom) / denom
        p = p - u
        scale = scale + u_op
        out.append((p, m, v, scale, m_op, v_op))
    return out


# --- Adam and AdamW -------------------------------------------------------------------------------------------
@strategies.composite
def adam_config(draw, component, *, weight_decays=WEIGHT_DECAYS):
    return {"lr": draw(strategies.sampled_from(LRS), label="lr"), "betas": draw(strategies.sampled_from(BETAS),
                                                                                label="betas"),
            "eps": draw(strategies.sampled_from(EPSILONS), label="eps"),
            "weight_decay": draw(strategies.sampled_from(weight_decays), label="weight_decay")}


@strategies.composite
def adam_inputs(draw, dtype, component, *, steps=(1, 1), weight_decays=WEIGHT_DECAYS, state=None,
                grad_scales=GRAD_SCALES, params=None):
    shape = draw(strategies.sampled_from(OPT_SHAPES), label="shape")
    limit = _limit(dtype, component)
    # the param enters the gradient under L2 decay: bounded like the gradients
    param = (np.zeros(shape, strategies.np_dtype(dtype)) if params == "zeros" else
             strategies.cast(np.clip(draw(strategies.arrays(shape, dtype, regimes=PARAM_REGIMES,
                                                            label="param")).astype(np.float64),
                            -limit, limit), dtype))
    t = draw(strategies.integers(*steps), label="steps")
    gscale = draw(strategies.sampled_from(grad_scales), label="grads.scale")
    grads = _grads(draw(strategies.seeds, label="grads.seed"), shape, dtype,
                   draw(strategies.sampled_from(GRAD_REGIMES), label="grads.regime"), gscale, t, limit)
    gscale = min(gscale, limit)
    warm = draw(strategies.booleans(), label="warm state") if state is None else state == "warm"
    if warm:  # the state of an earlier step: moments of gradients of the same scale
        seed = draw(strategies.seeds, label="state.seed")
        m = strategies.normal(shape, dtype, seed, scale=gscale)
        v = strategies.cast(strategies.normal(shape, "float64", seed + 1,
                                              scale=gscale) ** 2 + m.astype(np.float64) ** 2, dtype)
        step = draw(strategies.sampled_from((2, 3, 10, 1000)), label="step")
    else:
        m = np.zeros(shape, strategies.np_dtype(dtype))
        v = np.zeros(shape, strategies.np_dtype(dtype))
        step = 1
    return {"param": param, "grads": grads, "exp_avg": m, "exp_avg_sq": v, "step": step,
            "config": draw(adam_config(component, weight_decays=weight_decays))}


def _adam_check(subject, got, ref, what):
    want_p, want_m, want_v, p_scale, m_scale, v_scale = ref
    p, m, v = got
    for name, a, w, s in (("param", p, want_p, p_scale), ("exp_avg", m, want_m, m_scale),
                          ("exp_avg_sq", v, want_v, v_scale)):
        _close_scaled(subject.expect(a, shape=w.shape, what=f"{what} {name}"), w, s, dtype=subject.dtype,
                      what=f"{what} {name}")


def _call(subject, component, p, g, m, v, step, cfg):
    out = subject.call(component, p, g, m, v, step, **cfg)
    require(isinstance(out, tuple) and len(out) == 3,
            f"{component} must return (param, exp_avg, exp_avg_sq), got {type(out).__name__}")
    return out


def _register_adam(component, module):
    """Register the properties adam_step and adamw_step share, filed under the component's module ``module``
    (its ``__name__``)."""
    decoupled = component == "adamw_step"

    @prop_in(module, component, "matches_oracle", inputs=lambda d: adam_inputs(d, component), dtypes=FLOATS,
              statement=f"One {component} (zero state at step 1, or an earlier state at step 2..1000; betas, eps, "
                        "weight decay varied; gradients from 1e-8 to 1e3) equals the float64 NumPy oracle's param, "
                        "exp_avg and exp_avg_sq per element within the dtype's tolerance of their operand scales.")
    def oracle(subject, case):
        p, g, m, v, step, cfg = (case[k] for k in ("param", "grads", "exp_avg", "exp_avg_sq", "step", "config"))
        got = _call(subject, component, p, g[0], m, v, step, cfg)
        want = [np.asarray(w) for w in expected(component, p, g[0], m, v, step, **cfg)]
        (_, _, _, *scales), = adam_reference(p, g, m, v, step, decoupled=decoupled, dtype=subject.dtype, **cfg)
        _adam_check(subject, got, (*want, *scales), f"{component} vs float64 oracle:")

    @prop_in(module, component, "trajectory_matches_oracle",
              inputs=lambda d: adam_inputs(d, component, steps=(1, MAX_STEPS), state="zeros"), max_examples=20,
              statement=f"1 to 5 {component}s from the zero state at step 1, each fed the previous step's param, "
                        "exp_avg, exp_avg_sq and step + 1, with gradients from 1e-8 (near eps) to 1e3 and lr * "
                        "weight_decay up to 0.5, stay within the dtype's tolerance of the float64 oracle's trajectory "
                        "after every step.")
    def trajectory(subject, case):
        p, m, v, step, cfg = (case[k] for k in ("param", "exp_avg", "exp_avg_sq", "step", "config"))
        w = (p.astype(np.float64), m.astype(np.float64), v.astype(np.float64))
        refs = adam_reference(p, case["grads"], m, v, step, decoupled=decoupled, dtype=subject.dtype, **cfg)
        for k, (g, ref) in enumerate(zip(case["grads"], refs)):
            p, m, v = _call(subject, component, p, g, m, v, step + k, cfg)
            w = tuple(np.asarray(a) for a in expected(component, *w[:1], g, *w[1:], step + k, **cfg))
            _adam_check(subject, (p, m, v), (*w, *ref[3:]), f"after step {k + 1}:")
            p, m, v = (subject.expect(a, shape=g.shape) for a in (p, m, v))

    @prop_in(module, component, "first_step_moves_lr_times_sign",
              inputs=lambda d: adam_inputs(d, component, state="zeros",
                                           weight_decays=WEIGHT_DECAYS if decoupled else (0.0,)),
              statement=f"From the zero state at step 1 (any betas), {component} moves each coordinate by exactly "
                        "lr * g / (|g| + eps), i.e. lr * sign(g) to eps, for any gradient scale including |g| ~ "
                        "1e-8 .. 1e-3 (bias correction makes m_hat = g and sqrt(v_hat) = |g|)"
                        + ("; AdamW first multiplies the param by 1 - lr * weight_decay." if decoupled else "."))
    def first_step(subject, case):
        p, g, m, v, cfg = (case[k] for k in ("param", "grads", "exp_avg", "exp_avg_sq", "config"))
        lr, eps, wd = cfg["lr"], cfg["eps"], cfg["weight_decay"]
        new_p, _, _ = _call(subject, component, p, g[0], m, v, 1, cfg)
        p64, g64 = p.astype(np.float64), g[0].astype(np.float64)
        want = p64 * (1 - lr * wd) - lr * g64 / (np.abs(g64) + eps)
        scale = np.abs(p64) * (1 + lr * wd) + 2 * lr
        _close_scaled(subject.expect(new_p, shape=p.shape), want, scale, dtype=subject.dtype,
                      what=f"first {component} vs param - lr g / (|g| + eps)")

    @strategies.composite
    def scaled_inputs(draw, dtype):
        shape = draw(strategies.sampled_from(OPT_SHAPES), label="shape")
        rng = strategies.rng(draw(strategies.seeds, label="grads.seed"))
        t = draw(strategies.integers(1, 3), label="steps")
        # |g| log-uniform in [0.1, 10] with random signs: large relative to eps after scaling by c >= 1e-2
        grads = [strategies.cast(np.exp(rng.uniform(np.log(0.1), np.log(10.0), shape)) * rng.choice([-1.0, 1.0], shape),
                        dtype) for _ in range(t)]
        cfg = draw(adam_config(component, weight_decays=(0.0, 0.1) if decoupled else (0.0,)))
        return {"param": draw(strategies.arrays(shape, dtype, regimes=("normal", "integers"), label="param")),
                "grads": grads, "c": draw(strategies.sampled_from((0.5, 2.0, 1e-2, 1e3)), label="c"), "config": cfg}

    @prop_in(module, component, "invariant_to_gradient_scale", inputs=scaled_inputs, max_examples=20,
              statement=f"1 to 3 {component}s from the zero state with gradients c * g (c in {{1e-2, 0.5, 2, 1e3}}) "
                        "end at the same param as with g, within the dtype's tolerance plus the exact effect of eps "
                        "(sum over steps of lr/bc1 |m| eps |1 - 1/c| / sqrt(v_hat)^2, below 1e-4 lr for |g| >= 0.1)"
                        + (" (decoupled decay does not depend on g)." if decoupled else " (no L2 decay)."))
    def scale_invariance(subject, case):
        p0, grads, c, cfg = case["param"], case["grads"], case["c"], case["config"]
        b1, b2 = cfg["betas"]
        ends = []
        for factor in (1.0, c):
            p = p0
            m = np.zeros(p0.shape, p0.dtype)
            v = np.zeros(p0.shape, p0.dtype)
            for k, g in enumerate(grads):
                gg = strategies.cast(g.astype(np.float64) * factor, subject.dtype)
                p, m, v = _call(subject, component, p, gg, m, v, k + 1, cfg)
            ends.append(subject.expect(p, shape=p0.shape).astype(np.float64))
        refs = adam_reference(p0, grads, np.zeros(p0.shape), np.zeros(p0.shape), 1, decoupled=decoupled,
                              dtype=subject.dtype, **cfg)
        scale = refs[-1][3]
        # the exact effect of eps, step by step: lr/bc1 |m| |eps - eps/c| / ((s + eps)(s + eps/c)), s = sqrt(v_hat)
        slack = np.zeros(p0.shape)
        m = v = np.zeros(p0.shape)
        for k, g in enumerate(grads):
            g = g.astype(np.float64)
            m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
            s = np.sqrt(v / (1 - b2 ** (k + 1)))
            slack = slack * abs(1 - cfg["lr"] * cfg["weight_decay"]) + cfg["lr"] / (1 - b1 ** (k + 1)) * np.abs(m) \
                * cfg["eps"] * abs(1 - 1 / c) / (s * s)
        # gradients are rounded after scaling by c: relative eps each, which moves the step by as much
        tol = tolerance(subject.dtype, n=len(grads), ulps=OPTIMIZER_ULPS)
        _close_scaled(ends[1], ends[0], 2 * scale + slack / tol, dtype=subject.dtype, n=len(grads),
                      what=f"{component} with gradients x {c:g} vs unscaled")

    @prop_in(module, component, "rejects_bad_input", inputs=lambda d: adam_inputs(d, component), dtypes=("float32",),
              max_examples=5,
              statement=f"{component} raises ValueError/TypeError for a negative lr, eps or weight decay, "
                        "betas outside [0, 1), step < 1 (it is 1-based) or not an int, and a grad or state of "
                        "another shape.")
    def rejects(subject, case):
        p, g, m, v = case["param"], case["grads"][0], case["exp_avg"], case["exp_avg_sq"]
        ok = dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
        bad_options = (dict(lr=-1e-3), dict(eps=-1e-8), dict(weight_decay=-0.01), dict(betas=(1.0, 0.999)),
                       dict(betas=(0.9, 1.0)), dict(betas=(-0.1, 0.999)), dict(betas=(0.9, 1.5)))
        for bad in bad_options:
            why = ", ".join(f"{k}={val!r}" for k, val in bad.items())
            assert_rejects(subject, component, p, g, m, v, 1, why=why, **dict(ok, **bad))
        for bad_step in (0, -1):
            assert_rejects(subject, component, p, g, m, v, bad_step, why=f"step={bad_step} (1-based)", **ok)
        assert_rejects(subject, component, p, g, m, v, 1.5, why="step=1.5", **ok)
        longer = np.concatenate([g.reshape(-1), g.reshape(-1)[:1]])
        assert_rejects(subject, component, p, longer, m, v, 1, why=f"grad {longer.shape} for param {p.shape}", **ok)
        assert_rejects(subject, component, p, g, longer, v, 1, why=f"exp_avg {longer.shape} for param {p.shape}", **ok)
        assert_rejects(subject, component, p, g, m, np.abs(longer), 1,
                       why=f"exp_avg_sq {longer.shape} for param {p.shape}", **ok)
