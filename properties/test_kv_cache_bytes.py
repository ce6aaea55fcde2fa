"""Properties of kv_cache_bytes (docs/contract.md 3.9 and section 4, "Memory"). Everything here is an exact integer
formula, so every check runs once, without a float dtype, and compares exactly.

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


def kv_inputs(dtype):
    return st.fixed_dictionaries({
        "config": configs(), "batch_size": st.one_of(strategies.integers(1, 8), strategies.sampled_from([16, 64])),
        "seq_len": st.one_of(strategies.integers(1, 64), strategies.sampled_from([2048, 4096, 32768])),
        "bytes_per_element": strategies.sampled_from([None, 1, 2, 4])})  # None: the default (omitted)


def _kv(subject, cfg, b, s, e=None) -> int:
    kwargs = {} if e is None else {"bytes_per_element": e}
    return _as_int(subject.kv_cache_bytes(cfg, batch_size=b, seq_len=s, **kwargs), "kv_cache_bytes")


@prop("kv_cache_bytes", "matches_oracle", inputs=kv_inputs, dtypes=(NO_DTYPE,),
      statement="kv_cache_bytes equals the NumPy oracle's count exactly (an integer), with bytes_per_element "
                "given or defaulted.")
def kv_oracle(subject, case):
    cfg, b, s, e = case["config"], case["batch_size"], case["seq_len"], case["bytes_per_element"]
    got = _kv(subject, cfg, b, s, e)
    want = int(expected("kv_cache_bytes", cfg, batch_size=b, seq_len=s,
                        **({} if e is None else {"bytes_per_element": e})))
    require(got == want, f"kv_cache_bytes = {got}, oracle {want} (difference {got - want})")


@prop("kv_cache_bytes", "gqa_is_fraction_of_mha", inputs=kv_inputs, dtypes=(NO_DTYPE,),
      statement="The KV cache of a GQA/MQA model is n_kv_heads / n_heads of its MHA twin's (the same config "
                "with n_kv_heads = n_heads), exactly.")
def kv_gqa(subject, case):
    cfg, b, s, e = case["config"], case["batch_size"], case["seq_len"], case["bytes_per_element"]
    got = _kv(subject, cfg, b, s, e)
    mha = _kv(subject, dict(cfg, n_kv_heads=cfg["n_heads"]), b, s, e)
    require(got * cfg["n_heads"] == mha * cfg["n_kv_heads"],
            f"KV cache {got} with {cfg['n_kv_heads']} KV heads, {mha} for the MHA twin with {cfg['n_heads']}: "
            f"ratio {got / mha:.6g}, expected {cfg['n_kv_heads']}/{cfg['n_heads']}")


@prop("kv_cache_bytes", "linear_in_batch_length_and_width", inputs=kv_inputs, dtypes=(NO_DTYPE,),
      statement="kv_cache_bytes is linear in batch_size, seq_len and bytes_per_element: scaling any of them by "
                "k scales the cache by k, and the cache of b1 + b2 sequences (or s1 + s2 positions) is the sum.")
def kv_linear(subject, case):
    cfg, b, s, e = case["config"], case["batch_size"], case["seq_len"], case["bytes_per_element"] or 2
    base = _kv(subject, cfg, b, s, e)
    for what, factor, args in (("batch_size", 3, (3 * b, s, e)), ("seq_len", 2, (b, 2 * s, e)),
                               ("bytes_per_element", 2, (b, s, 2 * e))):
        got = _kv(subject, cfg, *args)
        require(got == factor * base, f"{what} x {factor}: cache {got}, expected {factor} x {base}")
    for what, one, two, both in (("batch", (b, s, e), (1, s, e), (b + 1, s, e)),
                                 ("seq_len", (b, s, e), (b, 1, e), (b, s + 1, e))):
        parts, whole = _kv(subject, cfg, *one) + _kv(subject, cfg, *two), _kv(subject, cfg, *both)
        require(whole == parts, f"{what} {both}: cache {whole}, but the parts {one} and {two} sum to {parts}")


#: (name, config, bytes per token at 16 bits): LLaMA-2 7B (MHA, 32 layers, d=4096, 32 heads) keeps 512 KiB per
#: token, LLaMA-2 70B (GQA, 80 layers, d=8192, 64 heads, 8 KV heads) 320 KiB, GPT-2 small (12 x 768, 12 heads)
#: 36 KiB: 2 (K and V) x layers x KV heads x head_dim x 2 bytes
KNOWN_MODELS = (
    ("LLaMA-2-7B", dict(vocab_size=32000, d_model=4096, n_layers=32, n_heads=32, n_kv_heads=32, d_ff=11008,
                        max_positions=4096, norm="rmsnorm", ffn="swiglu", positional="rope", bias=False,
                        tie_embeddings=False), 512 * 1024),
    ("LLaMA-2-70B", dict(vocab_size=32000, d_model=8192, n_layers=80, n_heads=64, n_kv_heads=8, d_ff=28672,
                         max_positions=4096, norm="rmsnorm", ffn="swiglu", positional="rope", bias=False,
                         tie_embeddings=False), 320 * 1024),
    ("GPT-2", dict(vocab_size=50257, d_model=768, n_layers=12, n_heads=12, n_kv_heads=12, d_ff=3072,
                   max_positions=1024, norm="layernorm", ffn="gelu", positional="learned", bias=True,
                   tie_embeddings=True), 36 * 1024),
)


@prop("kv_cache_bytes", "known_models_per_token", inputs=lambda dtype: st.just({}), dtypes=(NO_DTYPE,),
      max_examples=1,
      statement="At 16 bits, LLaMA-2-7B's KV cache takes 512 KiB per token (2 GiB for one 4096-token sequence), "
                "LLaMA-2-70B's (GQA, 8 KV heads) 320 KiB, GPT-2 small's 36 KiB.")
def kv_known(subject, case):
    for name, cfg, per_token in KNOWN_MODELS:
        for b, s in ((1, 1), (1, 4096), (8, 1000)):
            got = _kv(subject, cfg, b, s, 2)
            require(got == per_token * b * s, f"{name}, batch {b} x {s} tokens: {got} bytes = "
                                              f"{got / (b * s) / 1024:.6g} KiB per token, expected "
                                              f"{per_token // 1024} KiB")


@prop("kv_cache_bytes", "rejects_bad_input", inputs=kv_inputs, dtypes=(NO_DTYPE,), max_examples=5,
      statement="kv_cache_bytes raises ValueError/TypeError for batch_size or seq_len zero, negative, a float or "
                "a bool, bytes_per_element 0, and a config whose n_heads does not divide d_model.")
def kv_rejects(subject, case):
    cfg, b, s = case["config"], case["batch_size"], case["seq_len"]
    for kwargs in ({"batch_size": 0, "seq_len": s}, {"batch_size": -b, "seq_len": s},
                   {"batch_size": b, "seq_len": 0}, {"batch_size": b, "seq_len": -s},
                   {"batch_size": float(b), "seq_len": s}, {"batch_size": b, "seq_len": s + 0.5},
                   {"batch_size": True, "seq_len": s}, {"batch_size": b, "seq_len": True},
                   {"batch_size": b, "seq_len": s, "bytes_per_element": 0}):
        assert_rejects(subject, "kv_cache_bytes", cfg, **kwargs, why=", ".join(f"{k}={v!r}" for k, v in kwargs.items()))
    assert_rejects(subject, "kv_cache_bytes", dict(cfg, d_model=8, n_heads=3, n_kv_heads=3), batch_size=b,
                   seq_len=s, why="n_heads=3 not dividing d_model=8")
