"""Properties of memory accounting (docs/contract.md 3.9 and section 4, "Memory" and "Parameters"): training state per device
under ZeRO, the KV cache, stored activations, and the seed's claims about a block's parameter count. Everything
is an exact integer formula, so every check runs once, without a float dtype, and compares exactly."""
from __future__ import annotations

from hypothesis import strategies as st

from properties import strategies
from properties.assertions import assert_rejects, require
from properties.oracle import expected
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import NO_DTYPE, prop
from properties.test_params import _as_int, configs

# --- training_memory_bytes ------------------------------------------------------------------------------------
#: bytes per parameter (params, grads, optimizer_states) of ZeRO's accounting (Rajbhandari et al. 2020, sec. 3.1):
#: mixed precision keeps fp16 weights and grads and, with the optimizer, an fp32 master copy plus the fp32
#: moments (Adam: 2, SGD with momentum: 1); fp32 training keeps fp32 weights and grads and the moments only
BYTES_PER_PARAM = {("adam", True): (2, 2, 12), ("adamw", True): (2, 2, 12), ("sgd", True): (2, 2, 8),
                   ("adam", False): (4, 4, 8), ("adamw", False): (4, 4, 8), ("sgd", False): (4, 4, 4)}
KEYS = ("params", "grads", "optimizer_states", "total")
PARTS = KEYS[:3]
#: ZeRO stage -> the parts it partitions over the devices (stage 1 optimizer states, 2 also grads, 3 also params)
PARTITIONED = {0: (), 1: ("optimizer_states",), 2: ("optimizer_states", "grads"),
               3: ("optimizer_states", "grads", "params")}
NUM_PARAMS = st.one_of(strategies.sampled_from([0, 1, 124_439_808, 7_000_000_000, 7_500_000_000, 175 * 10 ** 9]),
                       strategies.integers(0, 10 ** 12))
NUM_DEVICES = st.one_of(strategies.sampled_from([1, 2, 3, 8, 64, 1024]), strategies.integers(1, 4096))


def memory_inputs(dtype):
    return st.fixed_dictionaries({
        "num_params": NUM_PARAMS,
        "optimizer": strategies.sampled_from(["adam", "adamw", "sgd"]),
        "mixed_precision": strategies.booleans()})


def zero_inputs(dtype):
    """``memory_inputs`` plus ``zero`` (``zero_stage``/``num_devices`` keywords; empty: the defaults, omitted)."""
    return st.fixed_dictionaries({
        "num_params": NUM_PARAMS,
        "optimizer": strategies.sampled_from(["adam", "adamw", "sgd"]),
        "mixed_precision": strategies.booleans(),
        "num_devices": NUM_DEVICES,
        "zero": st.one_of(st.just({}), st.fixed_dictionaries({"zero_stage": strategies.sampled_from([0, 1, 2, 3]),
                                                              "num_devices": NUM_DEVICES}))})


def _memory(subject, n, optimizer, mixed, **zero):
    out = subject.training_memory_bytes(n, optimizer=optimizer, mixed_precision=mixed, **zero)
    require(isinstance(out, dict) and set(out) == set(KEYS),
            f"training_memory_bytes returned {out!r}, not a dict with keys {', '.join(KEYS)}")
    return {k: _as_int(out[k], f"training_memory_bytes[{k!r}]") for k in KEYS}


def _unpartitioned(n, optimizer, mixed) -> dict:
    """The stage-0 figures written out from the bytes per parameter."""
    want = dict(zip(PARTS, (b * n for b in BYTES_PER_PARAM[(optimizer, mixed)])))
    want["total"] = sum(want.values())
    return want


def _stages(subject, case) -> list[dict]:
    """The per-device figures of stages 0-3 for the case's ``num_devices``."""
    n, opt, mixed, devices = case["num_params"], case["optimizer"], case["mixed_precision"], case["num_devices"]
    return [_memory(subject, n, opt, mixed, zero_stage=k, num_devices=devices) for k in range(4)]


def _where(case, stage=None) -> str:
    return (f"{case['num_params']} parameters, {case['optimizer']}, mixed_precision={case['mixed_precision']}, "
            f"num_devices={case['num_devices']}" + ("" if stage is None else f", zero_stage={stage}"))


@prop("training_memory_bytes", "follows_zero_accounting", inputs=memory_inputs, dtypes=(NO_DTYPE,),
      statement="training_memory_bytes(N) gives params/grads/optimizer_states of 2/2/12 bytes per parameter for "
                "mixed-precision Adam(W) (ZeRO's 16), 4/4/8 for fp32 Adam(W), 2/2/8 for mixed SGD with momentum, "
                "4/4/4 for fp32 SGD, and total == params + grads + optimizer_states, exactly, up to 1e12 "
                "parameters.")
def memory_formula(subject, case):
    n, opt, mixed = case["num_params"], case["optimizer"], case["mixed_precision"]
    got = _memory(subject, n, opt, mixed)
    want = _unpartitioned(n, opt, mixed)
    for k in KEYS:
        require(got[k] == want[k], f"{k} = {got[k]} bytes for {n} parameters ({opt}, mixed_precision={mixed}), "
                                   f"expected {want[k]} ({want[k] // max(n, 1)} bytes/parameter)")
    require(got["total"] == got["params"] + got["grads"] + got["optimizer_states"],
            f"total {got['total']} != params + grads + optimizer_states")


@prop("training_memory_bytes", "matches_oracle", inputs=zero_inputs, dtypes=(NO_DTYPE,),
      statement="training_memory_bytes equals the NumPy oracle's figures exactly, with the defaults and with "
                "zero_stage 0-3 and num_devices 1-4096 given.")
def memory_oracle(subject, case):
    n, opt, mixed = case["num_params"], case["optimizer"], case["mixed_precision"]
    for zero in ({}, case["zero"]) if case["zero"] else ({},):
        got = _memory(subject, n, opt, mixed, **zero)
        want = expected("training_memory_bytes", n, optimizer=opt, mixed_precision=mixed, **zero)
        for k in KEYS:
            require(got[k] == int(want[k]), f"{k} = {got[k]}, oracle {want[k]} ({zero or 'defaults'})")


@prop("training_memory_bytes", "rejects_bad_input", inputs=zero_inputs, dtypes=(NO_DTYPE,), max_examples=5,
      statement="training_memory_bytes raises ValueError/TypeError for an unknown optimizer, a negative number "
                "of parameters, zero_stage outside 0-3 or not an int, and num_devices < 1 or not an int.")
def memory_rejects(subject, case):
    n, opt, mixed = case["num_params"], case["optimizer"], case["mixed_precision"]
    assert_rejects(subject, "training_memory_bytes", n, optimizer="no-such-optimizer", mixed_precision=mixed,
                   why="an unknown optimizer")
    assert_rejects(subject, "training_memory_bytes", -1 - n, optimizer=opt, mixed_precision=mixed,
                   why=f"num_params={-1 - n}")
    for zero in ({"zero_stage": 4}, {"zero_stage": -1}, {"zero_stage": 1.0}, {"zero_stage": True},
                 {"zero_stage": 1, "num_devices": 0}, {"zero_stage": 3, "num_devices": -case["num_devices"]},
                 {"zero_stage": 2, "num_devices": 2.0}, {"zero_stage": 3, "num_devices": True}):
        assert_rejects(subject, "training_memory_bytes", n, optimizer=opt, mixed_precision=mixed, **zero,
                       why=", ".join(f"{k}={v!r}" for k, v in zero.items()))


@prop("training_memory_bytes", "stage_zero_is_unpartitioned", inputs=zero_inputs, dtypes=(NO_DTYPE,),
      statement="ZeRO stage 0 on any number of devices is the unpartitioned footprint: every device holds all "
                "parameters, gradients and optimizer states (the bytes per parameter times N).")
def zero_stage_zero(subject, case):
    got = _stages(subject, case)[0]
    want = _unpartitioned(case["num_params"], case["optimizer"], case["mixed_precision"])
    for k in KEYS:
        require(got[k] == want[k], f"{k} = {got[k]} at stage 0 ({_where(case)}), expected the unpartitioned "
                                   f"{want[k]}")


@prop("training_memory_bytes", "stages_partition_their_parts", inputs=zero_inputs, dtypes=(NO_DTYPE,),
      statement="Stage 1 partitions exactly the optimizer states, stage 2 also the gradients, stage 3 also the "
                "parameters: a partitioned part is its stage-0 bytes / num_devices (rounded up to a whole byte), "
                "every other part equals stage 0's, and total is the sum of the three.")
def zero_parts(subject, case):
    stages, devices = _stages(subject, case), case["num_devices"]
    for stage, got in enumerate(stages):
        for k in PARTS:
            whole = stages[0][k]
            want = -(-whole // devices) if k in PARTITIONED[stage] else whole
            require(got[k] == want, f"{k} = {got[k]} at stage {stage} ({_where(case)}); stage 0 holds {whole}, so "
                                    f"expected {want} ({'partitioned' if k in PARTITIONED[stage] else 'whole'})")
        require(got["total"] == sum(got[k] for k in PARTS),
                f"total {got['total']} != params + grads + optimizer_states at stage {stage} ({_where(case)})")


@prop("training_memory_bytes", "stages_shrink_monotonically", inputs=zero_inputs, dtypes=(NO_DTYPE,),
      statement="Per device, every part and the total shrink (weakly) from stage 0 to 1 to 2 to 3.")
def zero_monotone(subject, case):
    stages = _stages(subject, case)
    for stage in range(1, 4):
        for k in KEYS:
            require(stages[stage][k] <= stages[stage - 1][k],
                    f"{k} grows from {stages[stage - 1][k]} at stage {stage - 1} to {stages[stage][k]} at stage "
                    f"{stage} ({_where(case)})")


@prop("training_memory_bytes", "one_device_every_stage_is_stage_zero", inputs=zero_inputs, dtypes=(NO_DTYPE,),
      statement="With num_devices=1 every ZeRO stage gives exactly stage 0's figures (nothing to partition over).")
def zero_one_device(subject, case):
    case = dict(case, num_devices=1)
    stages = _stages(subject, case)
    for stage in range(1, 4):
        require(stages[stage] == stages[0], f"stage {stage} on one device gives {stages[stage]}, stage 0 "
                                            f"{stages[0]} ({_where(case)})")


@prop("training_memory_bytes", "stage_three_divides_total", inputs=zero_inputs, dtypes=(NO_DTYPE,),
      statement="Stage 3 on N devices holds the stage-0 total / N per device: exactly when N divides each part, "
                "otherwise above it by less than 3 bytes (each of the three parts rounded up).")
def zero_stage_three(subject, case):
    stages, devices = _stages(subject, case), case["num_devices"]
    excess = stages[3]["total"] * devices - stages[0]["total"]  # N * (stage-3 total - stage-0 total / N)
    exact = all(stages[0][k] % devices == 0 for k in PARTS)
    require(excess == 0 if exact else 0 <= excess <= 3 * (devices - 1),
            f"stage-3 total {stages[3]['total']} on {devices} devices, stage-0 total {stages[0]['total']} "
            f"(/ N = {stages[0]['total'] / devices:.6g}; {_where(case)})")


#: ZeRO (Rajbhandari et al. 2020), figure 1: 7.5B parameters, mixed-precision Adam, 64 devices, GB = 1e9 bytes
ZERO_FIGURE_1 = {0: "120", 1: "31.4", 2: "16.6", 3: "1.9"}


@prop("training_memory_bytes", "reproduces_zero_figure_1", inputs=lambda dtype: st.just({}), dtypes=(NO_DTYPE,),
      max_examples=1,
      statement="ZeRO's figure 1 is reproduced: 7.5B parameters with mixed-precision Adam on 64 devices take "
                "120 GB per device at stage 0 (baseline), 31.4 GB at stage 1 (P_os), 16.6 GB at stage 2 "
                "(P_os+g), 1.9 GB at stage 3 (P_os+g+p), to the paper's rounding (GB = 1e9 bytes).")
def zero_figure_1(subject, case):
    for stage, figure in ZERO_FIGURE_1.items():
        got = _memory(subject, 7_500_000_000, "adam", True, zero_stage=stage, num_devices=64)["total"]
        decimals = len(figure.partition(".")[2])
        shown = f"{got / 1e9:.{decimals}f}"
        require(shown == figure, f"stage {stage}: {got} bytes = {got / 1e9:.4g} GB per device, the paper shows "
                                 f"{figure} GB")


# --- kv_cache_bytes -------------------------------------------------------------------------------------------
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


# --- activation_memory_bytes ----------------------------------------------------------------------------------
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


# --- count_parameters: the seed's claims ----------------------------------------------------------------------
@strategies.composite
def mha_configs(draw, dtype):
    """MHA configs (n_kv_heads == n_heads) with any number of heads dividing d_model."""
    d = draw(strategies.sampled_from([4, 8, 12, 16, 48, 768]), label="d_model")
    heads = draw(strategies.sampled_from([h for h in range(1, d + 1) if d % h == 0 and h <= 16]), label="n_heads")
    return {"config": {
        "vocab_size": draw(strategies.sampled_from([11, 50]), label="vocab_size"), "d_model": d,
        "n_layers": draw(strategies.sampled_from([0, 1, 2, 3]), label="n_layers"),
        "n_heads": heads, "n_kv_heads": heads,
        "d_ff": 4 * d, "max_positions": draw(strategies.sampled_from([7, 16]), label="max_positions"),
        "norm": draw(strategies.sampled_from(["layernorm", "rmsnorm"]), label="norm"),
        "ffn": draw(strategies.sampled_from(["gelu", "relu"]), label="ffn"),
        "positional": draw(strategies.sampled_from(["learned", "rope", "sinusoidal"]), label="positional"),
        "bias": draw(strategies.booleans(), label="bias"),
        "tie_embeddings": draw(strategies.booleans(), label="tie_embeddings")}}


def _block(subject, cfg) -> int:
    """One block's parameters: count(n_layers + 1) - count(n_layers)."""
    return (_as_int(subject.count_parameters(dict(cfg, n_layers=cfg["n_layers"] + 1)), "count_parameters")
            - _as_int(subject.count_parameters(cfg), "count_parameters"))


@prop("count_parameters", "block_is_twelve_d_squared", inputs=mha_configs, dtypes=(NO_DTYPE,),
      statement="At d_ff = 4d without biases (GELU/ReLU FFN, MHA) a block holds 12 d^2 weights besides its two "
                "norms (2 x 2d for LayerNorm, 2 x d for RMSNorm): attention 4 d^2 and the FFN 8 d^2, two thirds; "
                "the FFN's share is the block's growth with d_ff (2d per unit) times d_ff.")
def count_twelve_d2(subject, case):
    cfg = dict(case["config"], bias=False)
    d = cfg["d_model"]
    norms = 2 * (2 * d if cfg["norm"] == "layernorm" else d)
    block = _block(subject, cfg)
    require(block - norms == 12 * d * d, f"a block holds {block} parameters, {block - norms} besides its norms "
                                         f"({norms}); expected 12 d^2 = {12 * d * d} (d={d}, {cfg['n_heads']} heads)")
    per_unit = _block(subject, dict(cfg, d_ff=4 * d + 1)) - block  # the FFN's growth with d_ff
    ffn = per_unit * 4 * d
    require(3 * ffn == 2 * (block - norms), f"the FFN holds {ffn} of the block's {block - norms} weights "
                                            f"({per_unit} per unit of d_ff), not two thirds")


@prop("count_parameters", "mha_block_independent_of_n_heads", inputs=mha_configs, dtypes=(NO_DTYPE,),
      statement="An MHA block's parameter count (with or without biases) does not depend on n_heads: every "
                "n_heads dividing d_model gives the same count(n_layers + 1) - count(n_layers).")
def count_heads_free(subject, case):
    cfg = case["config"]
    d = cfg["d_model"]
    counts = {h: _block(subject, dict(cfg, n_heads=h, n_kv_heads=h)) for h in (1, cfg["n_heads"], d) if d % h == 0}
    require(len(set(counts.values())) == 1, f"block parameter counts by n_heads differ: {counts} (d={d}, "
                                            f"bias={cfg['bias']})")
