"""training_memory_bytes dividing the whole footprint, unpartitioned parts included, by ``num_devices`` at every
ZeRO stage (stage 0 too).

Real bug class: data parallelism confused with sharding ("N GPUs, so each holds 1/N"); plain data parallelism and
the stages' unpartitioned parts keep a full replica on every device. Caught by: stage 0 is the unpartitioned
total, the stages partition their parts, and ZeRO's figure 1 (120 GB at stage 0).
"""
from impls._validate import params as _v
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import training_memory_bytes as reference_training_memory_bytes

NAME = "mutant-params-zero-divides-everything"
DTYPES = ("float32",)
CATCHES = ("training_memory_bytes:stage_zero_is_unpartitioned", "training_memory_bytes:stages_partition_their_parts",
           "training_memory_bytes:reproduces_zero_figure_1")


def training_memory_bytes(num_params, *, optimizer="adam", mixed_precision=True, zero_stage=0, num_devices=1):
    _, devices = _v.check_zero_args(zero_stage, num_devices)
    out = reference_training_memory_bytes(num_params, optimizer=optimizer, mixed_precision=mixed_precision)
    for key in ("params", "grads", "optimizer_states"):
        out[key] = -(-out[key] // devices)  # BUG: whatever the stage, unpartitioned parts included
    out["total"] = out["params"] + out["grads"] + out["optimizer_states"]
    return out
