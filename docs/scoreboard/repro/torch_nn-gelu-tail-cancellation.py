"""nn.GELU in the left tail: x/2 (1 + erf(x/sqrt 2)) cancels. Exits 1 while the relative error at x = -10 exceeds
8 ulps of the dtype (the erfc form is exact to a few ulps there)."""
import math
import sys

import torch
from torch import nn

x = -10.063383
reference = 0.5 * x * math.erfc(-x / math.sqrt(2.0))  # float64, no cancellation
failed = False
for dtype in (torch.float32, torch.float64):
    got = nn.GELU()(torch.tensor([x], dtype=dtype)).item()
    rel = abs(got - reference) / abs(reference)
    eps = torch.finfo(dtype).eps
    print(f"{dtype}: nn.GELU()({x}) = {got!r}, reference = {reference!r}, relative error = {rel:.3g} "
          f"({rel / eps:.3g} ulps)")
    failed |= rel > 8 * eps
sys.exit(1 if failed else 0)
