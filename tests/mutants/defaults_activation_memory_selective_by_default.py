"""Activation memory with selective recomputation by default (the catalogue's default is none).

Real bug class: Megatron-LM configurations that turn selective recomputation on everywhere, taken for the formula's default. Every other property passes this argument, so only the default is wrong: caught by
``defaults_are_the_catalogue_defaults``.
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-defaults-activation-memory-selective-by-default"
DTYPES = ("float32",)
CATCHES = ("activation_memory_bytes:defaults_are_the_catalogue_defaults",)


def activation_memory_bytes(config, *, batch_size, seq_len, recompute='selective'):  # BUG: the default
    return reference.activation_memory_bytes(config, batch_size=batch_size, seq_len=seq_len, recompute=recompute)
