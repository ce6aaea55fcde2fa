"""training_memory_bytes reporting, for each partitioned part, what the other devices hold (``bytes - bytes / N``)
instead of the device's own share ``bytes / N``.

Real bug class: the memory *saved* by partitioning reported as the memory *used* (or the shard of "the other
N - 1 devices" taken); on one device a partitioned part vanishes. Caught by: one device gives stage 0's figures at
every stage, and stage 3 on N devices is the stage-0 total / N.
"""
from impls._validate import params as _v
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import training_memory_bytes as reference_training_memory_bytes

NAME = "mutant-params-zero-saving-for-share"
DTYPES = ("float32",)
CATCHES = ("training_memory_bytes:one_device_every_stage_is_stage_zero",
           "training_memory_bytes:stage_three_divides_total")


def training_memory_bytes(num_params, *, optimizer="adam", mixed_precision=True, zero_stage=0, num_devices=1):
    stage, devices = _v.check_zero_args(zero_stage, num_devices)
    out = reference_training_memory_bytes(num_params, optimizer=optimizer, mixed_precision=mixed_precision)
    for key, from_stage in (("optimizer_states", 1), ("grads", 2), ("params", 3)):
        if stage >= from_stage:
            out[key] = out[key] - out[key] // devices  # BUG: the other devices' part, not this one's
    out["total"] = out["params"] + out["grads"] + out["optimizer_states"]
    return out
