"""nn.BCEWithLogitsLoss for a confident correct logit (x = -17.45, target 0) in float64: (1 - t) x - logsigmoid(x)
cancels. Exits 1 while the relative error exceeds 8 ulps (log1p(exp(x)) is exact to ~1 ulp)."""
import sys

import numpy as np
import torch
from torch import nn

x, t = -17.446176, 0.0
got = nn.BCEWithLogitsLoss(reduction="none")(torch.tensor([x], dtype=torch.float64),
                                               torch.tensor([t], dtype=torch.float64)).item()
reference = float(max(x, 0.0) - x * t + np.log1p(np.exp(-abs(x))))  # float64, no cancellation
rel = abs(got - reference) / reference
eps = np.finfo(np.float64).eps
print(f"x = {x}, t = {t}: nn.BCEWithLogitsLoss = {got!r}, reference = {reference!r}, "
      f"absolute error {abs(got - reference):.3g}, relative {rel:.3g} ({rel / eps:.3g} ulps)")
sys.exit(1 if rel > 8 * eps else 0)
