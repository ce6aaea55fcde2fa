"""BertEmbeddings' word table has padding_idx = pad_token_id (BertConfig's default 0): no gradient reaches the row
of token 0, though the output depends on it.

Compares autograd's d sum(out * cot) / d word[0] with central differences of a float64 NumPy forward pass.
Exits 1 while they differ."""
import sys

import numpy as np
import torch
from transformers import BertConfig
from transformers.models.bert.modeling_bert import BertEmbeddings

rng = np.random.default_rng(0)
V, P, T, d, eps = 5, 4, 2, 4, 1e-12
ids = np.array([[2, 0, 4]])
types = np.array([[1, 0, 1]])
word, pos, typ = rng.normal(size=(V, d)), rng.normal(size=(P, d)), rng.normal(size=(T, d))
cot = rng.normal(size=(1, 3, d))

emb = BertEmbeddings(BertConfig(vocab_size=V, hidden_size=d, max_position_embeddings=P, type_vocab_size=T,
                                layer_norm_eps=eps)).double().eval()
with torch.no_grad():
    emb.position_embeddings.weight.copy_(torch.from_numpy(pos))
    emb.token_type_embeddings.weight.copy_(torch.from_numpy(typ))
    emb.word_embeddings.weight.copy_(torch.from_numpy(word))
out = emb(torch.from_numpy(ids), torch.from_numpy(types))
(out * torch.from_numpy(cot)).sum().backward()
got = emb.word_embeddings.weight.grad[0].numpy()


def forward(w):
    """The catalogue's LayerNorm(word[ids] + position + token_type) with unit weight, zero bias, in float64."""
    s = w[ids] + pos[:3] + typ[types]
    c = s - s.mean(-1, keepdims=True)
    return c / np.sqrt((c * c).mean(-1, keepdims=True) + eps)


h = 1e-6
ref = np.zeros(d)
for j in range(d):
    up, down = word.copy(), word.copy()
    up[0, j] += h
    down[0, j] -= h
    ref[j] = ((forward(up) - forward(down)) * cot).sum() / (2 * h)
print(f"pad_token_id = {emb.word_embeddings.padding_idx}\nautograd d/d word[0]:  {got.tolist()}\n"
      f"finite differences:    {ref.tolist()}")
sys.exit(1 if np.max(np.abs(got - ref)) > 1e-6 * (1 + np.max(np.abs(ref))) else 0)
