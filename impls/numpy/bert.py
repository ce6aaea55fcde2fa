"""BERT input embeddings and masked-language-model masking (SPEC 3.8) for the NumPy implementation."""
import numpy as np

from .._validate import bert as _v
from ._util import upcast

__all__: list[str] = ["bert_embeddings", "mlm_mask"]


def _id_bounds(ids):
    """(min, max) of an id array as Python ints, or (None, None) when it is empty."""
    return (None, None) if ids.size == 0 else (int(ids.min()), int(ids.max()))


def _layer_norm_last(x, weight, bias, eps):
    """``(x - mean) / sqrt(var + eps) * weight + bias`` over the last axis, biased two-pass variance."""
    # Shifting by the row's first entry first makes a constant row centre to exactly 0 (its float mean
    # need not equal the constant, and with eps=1e-12 that rounding error would be amplified ~1e6-fold).
    x = x - x[..., :1]
    centred = x - x.mean(axis=-1, keepdims=True)
    var = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(var + eps) * weight + bias


def bert_embeddings(input_ids, token_type_ids, params, *, eps=1e-12):
    """``LayerNorm(word[ids] + position[0..L-1] + token_type[types])`` over d, then ``* ln_weight + ln_bias``.

    input_ids, token_type_ids: ``(B, L)`` int (``token_type_ids=None`` means all type 0);
    params: ``word (V, d)``, ``position (P, d)``, ``token_type (T, d)``, ``ln_weight (d,)``, ``ln_bias (d,)``.
    Returns ``(B, L, d)`` in the tables' dtype.
    """
    _v.require_keys(params, _v.EMBEDDING_KEYS, "bert_embeddings")
    tables = {k: np.asarray(params[k]) for k in _v.EMBEDDING_KEYS}
    ids = np.asarray(input_ids)
    types = None if token_type_ids is None else np.asarray(token_type_ids)
    num_words, _, num_types = _v.check_bert_embeddings(
        ids.shape, ids.dtype.name, None if types is None else types.shape,
        None if types is None else types.dtype.name, {k: (t.shape, t.dtype.name) for k, t in tables.items()})
    _v.check_id_range("input_ids", *_id_bounds(ids), num_words, "bert_embeddings", "params['word']")
    if types is None:
        types = np.zeros(ids.shape, dtype=np.int64)
    _v.check_id_range("token_type_ids", *_id_bounds(types), num_types, "bert_embeddings",
                      "params['token_type']")
    length = ids.shape[1]
    summed = (upcast(tables["word"][ids]) + upcast(tables["position"][:length])
              + upcast(tables["token_type"][types]))  # (B, L, d)
    y = _layer_norm_last(summed, upcast(tables["ln_weight"]), upcast(tables["ln_bias"]), eps)
    return y.astype(tables["word"].dtype)


def mlm_mask(input_ids, *, seed, vocab_size, mask_token_id, special_token_ids=(), mask_prob=0.15):
    """BERT's masking: each non-special token is selected with probability ``mask_prob``, independently.

    A selected token becomes ``mask_token_id`` w.p. 0.8, a uniform id in ``[0, vocab_size)`` w.p. 0.1, and
    stays w.p. 0.1; ``labels`` is the original id where selected, -100 elsewhere. Returns int64
    ``(masked_ids, labels)``, deterministic in ``seed`` (``numpy.random.default_rng``).
    """
    ids = np.asarray(input_ids)
    seed, specials = _v.check_mlm_mask(ids.dtype.name, seed, vocab_size, mask_token_id, special_token_ids,
                                       mask_prob)
    _v.check_mlm_ids_range(*_id_bounds(ids), vocab_size)
    ids = ids.astype(np.int64)
    rng = np.random.default_rng(seed)
    # rng.random is in [0, 1), so mask_prob=1 selects everything and mask_prob=0 nothing.
    selected = (rng.random(ids.shape) < mask_prob) & ~np.isin(ids, np.asarray(specials, dtype=np.int64))
    action = rng.random(ids.shape)
    random_ids = rng.integers(0, vocab_size, size=ids.shape, dtype=np.int64)
    replaced = np.where(action < 0.8, np.int64(mask_token_id), np.where(action < 0.9, random_ids, ids))
    masked_ids = np.where(selected, replaced, ids)
    labels = np.where(selected, ids, np.int64(-100))
    return masked_ids.astype(np.int64), labels.astype(np.int64)
