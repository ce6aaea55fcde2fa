"""training_memory_bytes whose ZeRO stage 3 forgets to partition the parameters: stage 3 == stage 2.

Real bug class: P_os+g+p treated as "gathered weights stay resident", i.e. the fp16 parameters counted whole on
every device although stage 3 shards them (they are gathered layer by layer only when needed). Caught by: stage 3
on N devices is the stage-0 total / N, ZeRO's figure 1 (1.9 GB at stage 3), and the stages partition their parts.
"""
from impls._validate import params as _v
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import training_memory_bytes as reference_training_memory_bytes

NAME = "mutant-params-zero-stage3-params-whole"
DTYPES = ("float32",)
CATCHES = ("training_memory_bytes:stage_three_divides_total", "training_memory_bytes:reproduces_zero_figure_1",
           "training_memory_bytes:stages_partition_their_parts")


def training_memory_bytes(num_params, *, optimizer="adam", mixed_precision=True, zero_stage=0, num_devices=1):
    stage, devices = _v.check_zero_args(zero_stage, num_devices)
    out = reference_training_memory_bytes(num_params, optimizer=optimizer, mixed_precision=mixed_precision)
    for key, from_stage in (("optimizer_states", 1), ("grads", 2)):  # BUG: ("params", 3) missing
        if stage >= from_stage:
            out[key] = -(-out[key] // devices)
    out["total"] = out["params"] + out["grads"] + out["optimizer_states"]
    return out
