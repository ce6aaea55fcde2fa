"""nn.LogSoftmax at a dominant maximum, and nn.CrossEntropyLoss on a confident correct row (float32): the kernel
forms log(1 + s) after rounding 1 + s. Exits 1 while either relative error exceeds 8 float32 ulps (log1p(s) is
exact to ~1 ulp)."""
import sys

import numpy as np
import torch
from torch import nn


def log1p_share(row):
    """-log_softmax at the row's maximum, log1p(sum of the others' exp(x_j - max)), in float64."""
    z = np.sort(row - row.max())[:-1]
    return float(np.log1p(np.exp(z).sum()))


eps = np.finfo(np.float32).eps
failed = False
x = np.array([10.956332, 9.59954, 27.320107], dtype=np.float32)
got = nn.LogSoftmax(dim=0)(torch.from_numpy(x))[2].item()
want = -log1p_share(x.astype(np.float64))
rel = abs(got - want) / abs(want)
print(f"nn.LogSoftmax(dim=0)({x.tolist()})[2] = {got!r}, reference {want!r}, relative error {rel:.3g}")
failed |= rel > 8 * eps
logits = np.array([[35.153667, 14.996902, -0.212516]], dtype=np.float32)
got = nn.CrossEntropyLoss()(torch.from_numpy(logits), torch.tensor([0])).item()
want = log1p_share(logits[0].astype(np.float64))
rel = abs(got - want) / abs(want)
print(f"nn.CrossEntropyLoss()({logits.tolist()}, target [0]) = {got!r}, reference {want!r}, relative error {rel:.3g}")
failed |= rel > 8 * eps
sys.exit(1 if failed else 0)
