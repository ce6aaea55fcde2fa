"""eager_attention_forward takes the softmax of float64 scores in float32: float32 accuracy, and a padded-out
row (finfo(float64).min, -inf once in float32) is NaN.

Exits 1 while the float64 probabilities differ from a float64 NumPy softmax by more than a few float64 roundings,
or the padded row is not finite."""
import sys

import numpy as np
import torch
from transformers import LlamaConfig
from transformers.masking_utils import bidirectional_mask_function, eager_mask
from transformers.models.llama.modeling_llama import LlamaAttention, eager_attention_forward

config = LlamaConfig(hidden_size=4, num_attention_heads=1, num_key_value_heads=1, head_dim=4)
module = LlamaAttention(config, layer_idx=0).eval()
rng = np.random.default_rng(0)
q, k, v = (rng.normal(size=(1, 1, 3, 4)) * 3 for _ in range(3))
_, probs = eager_attention_forward(module, *(torch.from_numpy(a) for a in (q, k, v)), None,
                                   scaling=module.scaling)
logits = q @ k.swapaxes(-1, -2) * module.scaling
ref = np.exp(logits - logits.max(-1, keepdims=True))
ref /= ref.sum(-1, keepdims=True)
err = float(np.max(np.abs(probs.numpy() - ref) / ref))
print(f"float64 probabilities vs float64 softmax: largest relative error {err:.3g} "
      f"(float64 eps {np.finfo(np.float64).eps:.3g}, float32 eps {np.finfo(np.float32).eps:.3g})")
# the second sequence of a batch is all padding: its rows have no allowed key
padded = eager_mask(batch_size=1, q_length=3, kv_length=3, mask_function=bidirectional_mask_function,
                    attention_mask=torch.zeros(1, 3, dtype=torch.bool), dtype=torch.float64)
out, _ = eager_attention_forward(module, *(torch.from_numpy(a) for a in (q, k, v)), padded,
                                 scaling=module.scaling)
print(f"padded-out rows in float64: output {out[0, 0].tolist()} (float32: finite)")
sys.exit(1 if err > 64 * np.finfo(np.float64).eps or not torch.isfinite(out).all() else 0)
