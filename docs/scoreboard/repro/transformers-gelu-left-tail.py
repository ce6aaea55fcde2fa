"""ACT2FN["gelu"] and ACT2FN["gelu_new"] cancel in the left tail: 1 + erf(u), 1 + tanh(u) for u << 0.

Exits 1 while either result loses more than half its relative accuracy against the float64 value (computed
without cancellation: erfc, and 1 + tanh(u) = 2 / (1 + exp(-2u)))."""
import math
import sys

import torch
from transformers.activations import ACT2FN


def gelu_exact(x):
    return 0.5 * x * math.erfc(-x / math.sqrt(2.0))


def gelu_tanh(x):
    u = math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)
    return 0.5 * x * 2.0 / (1.0 + math.exp(-2.0 * u))


worst = 0.0
for name, dtype, x, ref_fn in (("gelu", torch.float32, -10.063383, gelu_exact),
                               ("gelu", torch.float64, -10.063383, gelu_exact),
                               ("gelu_new", torch.float16, -4.363281, gelu_tanh)):
    xt = torch.tensor([x], dtype=dtype)
    got = float(ACT2FN[name](xt)[0])
    ref = ref_fn(float(xt[0]))
    rel = abs(got - ref) / abs(ref)
    worst = max(worst, rel)
    print(f'ACT2FN["{name}"]({float(xt[0])}) in {str(dtype)[6:]}: {got!r}  float64 reference: {ref!r}  '
          f"relative error: {rel:.3g}")
sys.exit(1 if worst > 0.5 else 0)
