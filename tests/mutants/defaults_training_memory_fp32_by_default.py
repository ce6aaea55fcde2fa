"""Training memory counted in fp32 by default.

Real bug class: the accounting written for fp32 training first, mixed precision added as an option. Every other property passes this argument, so only the default is wrong: caught by
``defaults_are_the_catalogue_defaults`` in float32 (the dtype a plug-in declares by default).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-defaults-training-memory-fp32-by-default"
DTYPES = ("float32",)
CATCHES = ("training_memory_bytes:defaults_are_the_catalogue_defaults",)


def training_memory_bytes(num_params, *, optimizer='adam', mixed_precision=False, zero_stage=0, num_devices=1):  # BUG: the default
    return reference.training_memory_bytes(num_params, optimizer=optimizer, mixed_precision=mixed_precision, zero_stage=zero_stage, num_devices=num_devices)
