"""training_memory_bytes whose ZeRO stage 2 partitions the parameters instead of the gradients.

Real bug class: the stages' order mixed up (P_os+g read as "optimizer states + weights"); with fp16 weights and
gradients of the same size the total per device is even right, only the split is wrong. Caught by: the stages
partition their parts (stage 2: optimizer states and gradients only), and the comparison with the oracle.
"""
from impls._validate import params as _v
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import training_memory_bytes as reference_training_memory_bytes

NAME = "mutant-params-zero-stage2-partitions-params"
DTYPES = ("float32",)
CATCHES = ("training_memory_bytes:stages_partition_their_parts", "training_memory_bytes:matches_oracle")


def training_memory_bytes(num_params, *, optimizer="adam", mixed_precision=True, zero_stage=0, num_devices=1):
    stage, devices = _v.check_zero_args(zero_stage, num_devices)
    out = reference_training_memory_bytes(num_params, optimizer=optimizer, mixed_precision=mixed_precision)
    parts = {1: ("optimizer_states",), 2: ("optimizer_states", "params"),  # BUG: should be the grads
             3: ("optimizer_states", "grads", "params")}.get(stage, ())
    for key in parts:
        out[key] = -(-out[key] // devices)
    out["total"] = out["params"] + out["grads"] + out["optimizer_states"]
    return out
