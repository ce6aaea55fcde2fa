"""transformers' eager attention on a query row with no allowed key: the min-value mask spreads it over the
masked keys (probability 1 for one key), where the catalogue gives 0; a -inf bias on every key gives NaN.

One query, one key, the key padded out (attention_mask [[0]]), masked as the model code masks it
(masking_utils.eager_mask); then a -inf position bias on that key. Exits 1 while either row is not 0."""
import sys

import numpy as np
import torch
from transformers import LlamaConfig
from transformers.masking_utils import bidirectional_mask_function, eager_mask
from transformers.models.llama.modeling_llama import LlamaAttention, eager_attention_forward

config = LlamaConfig(hidden_size=2, num_attention_heads=1, num_key_value_heads=1, head_dim=2)
module = LlamaAttention(config, layer_idx=0).eval()
q = k = v = torch.tensor([[[[-0.100634, 0.197633]]]])  # (B, H, L, D) = (1, 1, 1, 2)

padded = eager_mask(batch_size=1, q_length=1, kv_length=1, mask_function=bidirectional_mask_function,
                    attention_mask=torch.tensor([[False]]), dtype=torch.float32)
out, probs = eager_attention_forward(module, q, k, v, padded, scaling=module.scaling)
print(f"additive mask {padded.flatten().tolist()}: probability {probs.flatten().tolist()}, "
      f"output {out.flatten().tolist()}; catalogue: probability [0.0], output [0.0, 0.0]")
neg_inf = torch.full((1, 1, 1, 1), -np.inf)
out2, probs2 = eager_attention_forward(module, q, k, v, neg_inf, scaling=module.scaling)
print(f"bias -inf on the only key: probability {probs2.flatten().tolist()}, output {out2.flatten().tolist()}")
ref = np.zeros(2)  # the catalogue's value of a row with no allowed key
bad = not np.allclose(out.detach().numpy().ravel(), ref) or not np.allclose(out2.detach().numpy().ravel(), ref)
sys.exit(1 if bad else 0)
