"""Properties of activation_memory_bytes (docs/contract.md 3.9 and section 4, "Memory"). Everything here is an exact
integer formula, so every check runs once, without a float dtype, and compares exactly.

The family's configs, strategies and helpers: :mod:`properties.params_common`.
"""
from __future__ import annotations

from hypothesis import strategies as st

from properties import strategies
from properties.assertions import assert_rejects, require
from properties.oracle import expected
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import NO_DTYPE, prop
from properties.params_common import _as_int, configs


RECOMPUTES = ("none", "selective", "full")


def activation_inputs(dtype):
    return st.fixed_dictionaries({
        "config": configs(), "batch_size": st.one_of(strategies.integers(1, 8), strategies.sampled_from([16, 64])),
        "seq_len": st.one_of(strategies.integers(1, 64), strategies.sampled_from([2048, 4096, 32768])),
        "recompute": strategies.sampled_from([None, *RECOMPUTES])})  # None: the default (omitted)


def _act(subject, cfg, b, s, recompute=None) -> int:
    kwargs = {} if recompute is None else {"recompute": recompute}
    return _as_int(subject.activation_memory_bytes(cfg, batch_size=b, seq_len=s, **kwargs),
                   "activation_memory_bytes")


def _shape(case) -> tuple[int, int, int, int, int]:
    """(L, a, h, b, s) of a case."""
    cfg = case["config"]
    return cfg["n_layers"], cfg["n_heads"], cfg["d_model"], case["batch_size"], case["seq_len"]


@prop("activation_memory_bytes", "matches_oracle", inputs=activation_inputs, dtypes=(NO_DTYPE,),
      statement="activation_memory_bytes equals the NumPy oracle's count exactly (an integer), for every "
                "recompute mode and the default.")
def act_oracle(subject, case):
    cfg, b, s, r = case["config"], case["batch_size"], case["seq_len"], case["recompute"]
    got = _act(subject, cfg, b, s, r)
    want = int(expected("activation_memory_bytes", cfg, batch_size=b, seq_len=s,
                        **({} if r is None else {"recompute": r})))
    require(got == want, f"activation_memory_bytes = {got}, oracle {want} (difference {got - want})")


@prop("activation_memory_bytes", "quadratic_in_seq_len_without_recompute", inputs=activation_inputs,
      dtypes=(NO_DTYPE,),
      statement="Without recomputation activation memory grows quadratically in seq_len: its second difference "
                "in s is constant and equals that of the 5 a s / h attention term, 10 a b L, and its value at s "
                "is s b L (34 h + 5 a s).")
def act_quadratic(subject, case):
    layers, a, h, b, s = _shape(case)
    f = [_act(subject, case["config"], b, s + i, "none") for i in range(3)]
    second = f[2] - 2 * f[1] + f[0]
    require(second == 10 * a * b * layers, f"second difference in seq_len at s={s}: {second}, expected "
                                           f"10 a b L = {10 * a * b * layers} (a={a}, b={b}, L={layers})")
    require(f[0] == s * b * layers * (34 * h + 5 * a * s), f"at s={s}: {f[0]}, expected s b L (34 h + 5 a s) = "
                                                           f"{s * b * layers * (34 * h + 5 * a * s)}")


@prop("activation_memory_bytes", "selective_is_linear_in_seq_len", inputs=activation_inputs, dtypes=(NO_DTYPE,),
      statement="With selective recomputation activation memory is linear in seq_len: 34 s b h L, proportional "
                "to s (the attention scores are recomputed, so no s^2 term remains).")
def act_selective(subject, case):
    layers, a, h, b, s = _shape(case)
    one, got = _act(subject, case["config"], b, 1, "selective"), _act(subject, case["config"], b, s, "selective")
    require(got == s * one, f"selective at s={s}: {got}, but s x (its value at s=1, {one}) = {s * one}")
    require(one == 34 * b * h * layers, f"selective at s=1: {one}, expected 34 b h L = {34 * b * h * layers}")


@prop("activation_memory_bytes", "full_keeps_only_layer_inputs", inputs=activation_inputs, dtypes=(NO_DTYPE,),
      statement="With full recomputation only each layer's 16-bit input is kept: 2 s b h L bytes.")
def act_full(subject, case):
    layers, a, h, b, s = _shape(case)
    got = _act(subject, case["config"], b, s, "full")
    require(got == 2 * s * b * h * layers, f"full recomputation: {got}, expected 2 s b h L = {2 * s * b * h * layers}")


@prop("activation_memory_bytes", "recomputation_orders_memory", inputs=activation_inputs, dtypes=(NO_DTYPE,),
      statement="none >= selective >= full, and the default recompute is none.")
def act_order(subject, case):
    cfg, b, s = case["config"], case["batch_size"], case["seq_len"]
    none, sel, full = (_act(subject, cfg, b, s, r) for r in RECOMPUTES)
    require(none >= sel >= full, f"none {none}, selective {sel}, full {full}: not none >= selective >= full")
    default = _act(subject, cfg, b, s)
    require(default == none, f"the default gives {default}, recompute='none' {none}")


@prop("activation_memory_bytes", "rejects_bad_input", inputs=activation_inputs, dtypes=(NO_DTYPE,), max_examples=5,
      statement="activation_memory_bytes raises ValueError/TypeError for an unknown recompute mode, batch_size or "
                "seq_len zero, negative, a float or a bool, and a config whose n_heads does not divide d_model.")
def act_rejects(subject, case):
    cfg, b, s = case["config"], case["batch_size"], case["seq_len"]
    for kwargs in ({"batch_size": b, "seq_len": s, "recompute": "no-such-mode"},
                   {"batch_size": b, "seq_len": s, "recompute": None},
                   {"batch_size": 0, "seq_len": s}, {"batch_size": -b, "seq_len": s},
                   {"batch_size": b, "seq_len": 0}, {"batch_size": b, "seq_len": -s},
                   {"batch_size": float(b), "seq_len": s}, {"batch_size": b, "seq_len": s + 0.5},
                   {"batch_size": True, "seq_len": s}):
        assert_rejects(subject, "activation_memory_bytes", cfg, **kwargs,
                       why=", ".join(f"{k}={v!r}" for k, v in kwargs.items()))
    assert_rejects(subject, "activation_memory_bytes", dict(cfg, d_model=8, n_heads=3, n_kv_heads=3), batch_size=b,
                   seq_len=s, why="n_heads=3 not dividing d_model=8")
