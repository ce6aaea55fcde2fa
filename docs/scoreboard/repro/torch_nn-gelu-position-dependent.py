"""nn.GELU gives the same float64 x a different value at different positions of a tensor: the vectorised body and
the scalar remainder of the CPU kernel round 1 + erf(x/sqrt 2) differently. Exits 1 while the two differ."""
import math
import sys

import numpy as np
import torch
from torch import nn

v = -3.862
x = torch.zeros(17, dtype=torch.float64)
x[0] = x[16] = v  # element 0 falls in a full SIMD chunk, element 16 in the scalar remainder
y = nn.GELU()(x)
reference = 0.5 * v * math.erfc(-v / math.sqrt(2.0))
first, last = y[0].item(), y[16].item()
ulp = np.spacing(abs(reference))
print(f"x = {v}: at index 0 {first!r}, at index 16 {last!r}, reference {reference!r}")
print(f"errors: {abs(first - reference) / ulp:.3g} and {abs(last - reference) / ulp:.3g} ulps; "
      f"the two differ by {abs(first - last) / ulp:.3g} ulps")
sys.exit(1 if first != last else 0)
