"""LlamaMLP in float16 keeps silu(gate) * up as a float16 tensor: hidden values below float16's smallest normal
(6.1e-5) are subnormal, rounded to multiples of 6e-8, and down_proj sums those errors.

x ~ 1e-3 makes every hidden value ~1e-7. Exits 1 while the float16 output's error against the float64 formula
exceeds two float16 roundings of its magnitude (relative 2^-10, absolute at the smallest normal)."""
import sys

import numpy as np
import torch
from transformers import LlamaConfig
from transformers.models.llama.modeling_llama import LlamaMLP

rng = np.random.default_rng(1)
d, f = 8, 8
x = (rng.normal(size=(1, 4, d)) * 1e-3).astype(np.float16)
w1, w3, w2 = (rng.normal(size=(d, f)).astype(np.float16) * np.float16(0.5) for _ in range(3))
mlp = LlamaMLP(LlamaConfig(hidden_size=d, num_attention_heads=1, intermediate_size=f, hidden_act="silu")).half().eval()
with torch.no_grad():
    for lin, w in ((mlp.gate_proj, w1), (mlp.up_proj, w3), (mlp.down_proj, w2)):
        lin.weight.copy_(torch.from_numpy(w.T.copy()))
    got = mlp(torch.from_numpy(x)).double().numpy()
x64, a, b, c = (t.astype(np.float64) for t in (x, w1, w3, w2))
g = x64 @ a
hidden = g / (1 + np.exp(-g)) * (x64 @ b)
ref = hidden @ c
tiny = float(np.finfo(np.float16).tiny)
ratio = np.abs(got - ref) / (2.0 ** -10 * (np.abs(ref) + tiny))
i = np.unravel_index(int(np.argmax(ratio)), ratio.shape)
print(f"hidden |h| up to {np.abs(hidden).max():.3g} (float16 smallest normal {tiny:.3g})")
print(f"LlamaMLP float16 output {got[i]!r}, float64 reference {ref[i]!r}: error {abs(got[i] - ref[i]):.3g}, "
      f"{ratio[i]:.3g} x two float16 roundings")
# the same module with float32 intermediates, its output rounded once to float16: within the allowance
with torch.no_grad():
    once = mlp.float()(torch.from_numpy(x).float()).half().double().numpy()
print(f"float32 intermediates, output rounded to float16: "
      f"{float(np.max(np.abs(once - ref) / (2.0 ** -10 * (np.abs(ref) + tiny)))):.3g} x two float16 roundings")
sys.exit(1 if ratio.max() > 1 else 0)
