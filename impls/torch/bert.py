"""BERT input embeddings and masked-language-model masking (SPEC 3.8) for the PyTorch implementation."""
import torch

from .._validate import bert as _v
from ._util import upcast

__all__: list[str] = ["bert_embeddings", "mlm_mask"]


def _dtype(x):
    return str(x.dtype).removeprefix("torch.")


def _id_bounds(ids):
    """(min, max) of an id tensor as Python ints, or (None, None) when it is empty."""
    return (None, None) if ids.numel() == 0 else (int(ids.min()), int(ids.max()))


def _as_tensor(x, where, name):
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{where}: {name} must be a torch.Tensor, got {type(x).__name__}")
    return x


def _layer_norm_last(x, weight, bias, eps):
    """``(x - mean) * rsqrt(var + eps) * weight + bias`` over the last axis, biased two-pass variance."""
    # Shifting by the row's first entry first makes a constant row centre to exactly 0 (its float mean
    # need not equal the constant, and with eps=1e-12 that rounding error would be amplified ~1e6-fold).
    x = x - x[..., :1]
    centred = x - x.mean(dim=-1, keepdim=True)
    var = (centred * centred).mean(dim=-1, keepdim=True)
    return centred * torch.rsqrt(var + eps) * weight + bias


def bert_embeddings(input_ids, token_type_ids, params, *, eps=1e-12):
    """``LayerNorm(word[ids] + position[0..L-1] + token_type[types])`` over d, then ``* ln_weight + ln_bias``.

    input_ids, token_type_ids: ``(B, L)`` int (``token_type_ids=None`` means all type 0);
    params: ``word (V, d)``, ``position (P, d)``, ``token_type (T, d)``, ``ln_weight (d,)``, ``ln_bias (d,)``.
    Returns ``(B, L, d)`` in the tables' dtype.
    """
    where = "bert_embeddings"
    _v.require_keys(params, _v.EMBEDDING_KEYS, where)
    tables = {k: _as_tensor(params[k], where, f"params[{k!r}]") for k in _v.EMBEDDING_KEYS}
    ids = _as_tensor(input_ids, where, "input_ids")
    types = None if token_type_ids is None else _as_tensor(token_type_ids, where, "token_type_ids")
    num_words, _, num_types = _v.check_bert_embeddings(
        ids.shape, _dtype(ids), None if types is None else types.shape, None if types is None else _dtype(types),
        {k: (t.shape, _dtype(t)) for k, t in tables.items()})
    _v.check_id_range("input_ids", *_id_bounds(ids), num_words, where, "params['word']")
    if types is None:
        types = torch.zeros(ids.shape, dtype=torch.int64, device=ids.device)
    _v.check_id_range("token_type_ids", *_id_bounds(types), num_types, where, "params['token_type']")
    word = tables["word"]
    length = ids.shape[1]
    summed = (upcast(word[ids.long()]) + upcast(tables["position"][:length])
              + upcast(tables["token_type"][types.long()]))  # (B, L, d)
    y = _layer_norm_last(summed, upcast(tables["ln_weight"]), upcast(tables["ln_bias"]), eps)
    return y.to(word.dtype)


def mlm_mask(input_ids, *, seed, vocab_size, mask_token_id, special_token_ids=(), mask_prob=0.15):
    """BERT's masking: each non-special token is selected with probability ``mask_prob``, independently.

    A selected token becomes ``mask_token_id`` w.p. 0.8, a uniform id in ``[0, vocab_size)`` w.p. 0.1, and
    stays w.p. 0.1; ``labels`` is the original id where selected, -100 elsewhere. Returns int64
    ``(masked_ids, labels)``, deterministic in ``seed`` (a CPU ``torch.Generator``).
    """
    ids = _as_tensor(input_ids, "mlm_mask", "input_ids")
    seed, specials = _v.check_mlm_mask(_dtype(ids), seed, vocab_size, mask_token_id, special_token_ids,
                                       mask_prob)
    _v.check_mlm_ids_range(*_id_bounds(ids), vocab_size)
    ids = ids.long()
    gen = torch.Generator().manual_seed(seed)
    # Draw on the CPU so the stream depends on the seed only, then move next to the ids.
    select_u = torch.rand(ids.shape, generator=gen, dtype=torch.float64).to(ids.device)
    action = torch.rand(ids.shape, generator=gen, dtype=torch.float64).to(ids.device)
    random_ids = torch.randint(0, vocab_size, ids.shape, generator=gen, dtype=torch.int64).to(ids.device)
    special = torch.isin(ids, torch.tensor(specials, dtype=torch.int64, device=ids.device))
    selected = (select_u < mask_prob) & ~special
    mask_id = torch.full_like(ids, mask_token_id)
    replaced = torch.where(action < 0.8, mask_id, torch.where(action < 0.9, random_ids, ids))
    masked_ids = torch.where(selected, replaced, ids)
    labels = torch.where(selected, ids, torch.full_like(ids, -100))
    return masked_ids, labels
