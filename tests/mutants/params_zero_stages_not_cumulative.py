"""training_memory_bytes whose ZeRO stages are not cumulative: stage 1 partitions the optimizer states, stage 2
only the gradients, stage 3 only the parameters.

Real bug class: reading "stage 2 partitions the gradients" as a replacement for stage 1 instead of an addition
(a lookup table ``{1: "optimizer_states", 2: "grads", 3: "params"}``); stage 2 then holds more per device than
stage 1. Caught by: stages shrink monotonically, and ZeRO's figure 1.
"""
from impls._validate import params as _v
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import training_memory_bytes as reference_training_memory_bytes

NAME = "mutant-params-zero-stages-not-cumulative"
DTYPES = ("float32",)
CATCHES = ("training_memory_bytes:stages_shrink_monotonically", "training_memory_bytes:reproduces_zero_figure_1")


def training_memory_bytes(num_params, *, optimizer="adam", mixed_precision=True, zero_stage=0, num_devices=1):
    stage, devices = _v.check_zero_args(zero_stage, num_devices)
    out = reference_training_memory_bytes(num_params, optimizer=optimizer, mixed_precision=mixed_precision)
    key = {1: "optimizer_states", 2: "grads", 3: "params"}.get(stage)  # BUG: each stage adds to the previous
    if key is not None:
        out[key] = -(-out[key] // devices)
    out["total"] = out["params"] + out["grads"] + out["optimizer_states"]
    return out
