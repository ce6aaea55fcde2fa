"""training_memory_bytes forgets the fp32 master weights of mixed-precision training: Adam states 8N, not 12N.

Real bug class: counting only Adam's two moments as optimizer state and assuming the fp16 weights are the only
copy, which underestimates ZeRO's 16 bytes/parameter as 12. Caught by: memory accounting matches the formulas
(mixed-precision Adam optimizer_states == 12 N, total == 16 N).
"""
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-params-master-copy-forgotten"
DTYPES = ("float32", "float64")
CATCHES = ("training_memory_bytes:matches_oracle",
           "training_memory_bytes:follows_zero_accounting",
           "training_memory_bytes:rejects_bad_input")


def training_memory_bytes(num_params, *, optimizer="adam", mixed_precision=True):
    if optimizer not in ("adam", "adamw", "sgd"):
        raise ValueError(f"unknown optimizer {optimizer!r}")
    weight = 2 if mixed_precision else 4
    states = (1 if optimizer == "sgd" else 2) * 4 * num_params  # BUG: no fp32 master copy when mixed
    out = {"params": weight * num_params, "grads": weight * num_params, "optimizer_states": states}
    out["total"] = out["params"] + out["grads"] + out["optimizer_states"]
    return out
