"""training_memory_bytes whose ZeRO stage 1 partitions nothing: stage 1 reports stage 0's footprint.

Real bug class: an off-by-one in the stage test (``if zero_stage > 1`` for the optimizer states), so P_os only
takes effect from stage 2 on. Caught by: ZeRO's figure 1 (31.4 GB at stage 1, not 120), the stages partition
their parts, and the comparison with the oracle.
"""
from impls._validate import params as _v
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import training_memory_bytes as reference_training_memory_bytes

NAME = "mutant-params-zero-stage1-partitions-nothing"
DTYPES = ("float32",)
CATCHES = ("training_memory_bytes:reproduces_zero_figure_1", "training_memory_bytes:stages_partition_their_parts",
           "training_memory_bytes:matches_oracle")


def training_memory_bytes(num_params, *, optimizer="adam", mixed_precision=True, zero_stage=0, num_devices=1):
    stage, devices = _v.check_zero_args(zero_stage, num_devices)
    out = reference_training_memory_bytes(num_params, optimizer=optimizer, mixed_precision=mixed_precision)
    for key, from_stage in (("optimizer_states", 2), ("grads", 2), ("params", 3)):  # BUG: states from stage 1
        if stage >= from_stage:
            out[key] = -(-out[key] // devices)
    out["total"] = out["params"] + out["grads"] + out["optimizer_states"]
    return out
