"""Properties of training_memory_bytes (docs/contract.md 3.9 and section 4, "Memory"). Training state per device
under ZeRO. Everything here is an exact integer formula, so every check runs once, without a float dtype, and
compares exactly.

The family's configs, strategies and helpers: :mod:`properties.params_common`.
"""
from __future__ import annotations

from hypothesis import strategies as st

from properties import strategies
from properties.assertions import assert_rejects, require
from properties.oracle import expected
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import NO_DTYPE, prop
from properties.params_common import _as_int


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
