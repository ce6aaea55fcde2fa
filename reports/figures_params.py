"""Figures of parameters and training state (docs/contract.md 3.9), drawn from the float64 oracle
(``properties.oracle``).

Imported by :mod:`reports.html`; each function registered with ``@figure("params")`` returns
``(title, caption, svg)``.
"""
from __future__ import annotations

import numpy as np

from properties.oracle import expected
from reports.figures import figure, new_figure, to_svg


@figure("params")
def zero_stages_per_device():
    num_params, devices = 7.5e9, 64
    stages = range(4)
    parts = ("params", "grads", "optimizer_states")
    per_stage = [expected("training_memory_bytes", int(num_params), zero_stage=s, num_devices=devices)
                 for s in stages]
    fig, ax = new_figure(6.0, 3.0)
    bottom = np.zeros(len(per_stage))
    for part in parts:
        values = np.array([m[part] for m in per_stage], dtype=np.float64) / 1e9
        ax.bar([f"stage {s}" for s in stages], values, bottom=bottom, label=part)
        bottom += values
    for i, m in enumerate(per_stage):
        ax.text(i, bottom[i], f"{m['total'] / 1e9:.1f} GB", ha="center", va="bottom", fontsize=8)
    ax.set_ylabel("GB per device")
    ax.legend(fontsize=7, frameon=False)
    caption = ("Per-device training memory of a 7.5B-parameter model with mixed-precision Adam on 64 devices, by "
               "ZeRO stage (the ZeRO paper's figure 1): 16 bytes a parameter unpartitioned (2 fp16 weights, 2 fp16 "
               "gradients, 12 of fp32 master weights and Adam moments); stage 1 partitions the optimizer states, "
               "stage 2 also the gradients, stage 3 also the weights, each over the 64 devices.")
    return "ZeRO: memory per device by stage", caption, to_svg(fig)
