"""BERT input embeddings and masked-language-model masking (SPEC 3.8) for the JAX implementation."""

import jax
import jax.numpy as jnp

from .._validate import bert as _v
from ._util import DEVICE, as_array, upcast
from ._jit import jit

__all__: list[str] = ["bert_embeddings", "mlm_mask"]


def _id_bounds(ids):
    """(min, max) of concrete ids as Python ints; (None, None) when empty or traced (values unknown)."""
    if ids.size == 0 or isinstance(ids, jax.core.Tracer):
        return None, None
    with jax.ensure_compile_time_eval():  # concrete ids closed over inside a caller's jit stay concrete
        return int(jnp.min(ids)), int(jnp.max(ids))


def _as_array(x, where, name):
    if not hasattr(x, "shape") or not hasattr(x, "dtype"):
        raise TypeError(f"{where}: {name} must be an array, got {type(x).__name__}")
    return as_array(x)


def _layer_norm_last(x, weight, bias, eps):
    """``(x - mean) * rsqrt(var + eps) * weight + bias`` over the last axis, biased two-pass variance."""
    # Shifting by the row's first entry first makes a constant row centre to exactly 0 (its float mean
    # need not equal the constant, and with eps=1e-12 that rounding error would be amplified ~1e6-fold).
    x = x - x[..., :1]
    centred = x - jnp.mean(x, axis=-1, keepdims=True)
    var = jnp.mean(centred * centred, axis=-1, keepdims=True)
    return centred * jax.lax.rsqrt(var + eps) * weight + bias


@jit  # eps is an argument, not static: every eps a caller passes runs the one executable per shape
def _embeddings_kernel(ids, types, word, position, token_type, ln_weight, ln_bias, eps):
    length = ids.shape[1]
    summed = upcast(word[ids]) + upcast(position[:length]) + upcast(token_type[types])  # (B, L, d)
    return _layer_norm_last(summed, upcast(ln_weight), upcast(ln_bias), eps).astype(word.dtype)


def bert_embeddings(input_ids, token_type_ids, params, *, eps=1e-12):
    """``LayerNorm(word[ids] + position[0..L-1] + token_type[types])`` over d, then ``* ln_weight + ln_bias``.

    input_ids, token_type_ids: ``(B, L)`` int (``token_type_ids=None`` means all type 0);
    params: ``word (V, d)``, ``position (P, d)``, ``token_type (T, d)``, ``ln_weight (d,)``, ``ln_bias (d,)``.
    Returns ``(B, L, d)`` in the tables' dtype.
    """
    where = "bert_embeddings"
    _v.require_keys(params, _v.EMBEDDING_KEYS, where)
    tables = {k: _as_array(params[k], where, f"params[{k!r}]") for k in _v.EMBEDDING_KEYS}
    ids = _as_array(input_ids, where, "input_ids")
    types = None if token_type_ids is None else _as_array(token_type_ids, where, "token_type_ids")
    num_words, _, num_types = _v.check_bert_embeddings(
        ids.shape, ids.dtype.name, None if types is None else types.shape,
        None if types is None else types.dtype.name, {k: (t.shape, t.dtype.name) for k, t in tables.items()})
    # JAX clamps out-of-range gathers silently, so the range check is the only guard.
    _v.check_id_range("input_ids", *_id_bounds(ids), num_words, where, "params['word']")
    if types is None:
        types = jnp.zeros(ids.shape, dtype=jnp.int64)
    _v.check_id_range("token_type_ids", *_id_bounds(types), num_types, where, "params['token_type']")
    return _embeddings_kernel(ids, types, *(tables[k] for k in _v.EMBEDDING_KEYS), float(eps))


def _bucket(n):
    """The power of two >= max(n, 1024): random streams compile once per bucket, not once per shape."""
    return 1 << max(n - 1, 1023).bit_length()


@jit(static_argnames=("size",))
def _mlm_draws(key, vocab_size, size):
    """Three independent flat streams: selection uniforms, 80/10/10 uniforms, replacement ids."""
    k_select, k_action, k_random = jax.random.split(key, 3)
    return (jax.random.uniform(k_select, (size,), dtype=jnp.float64),
            jax.random.uniform(k_action, (size,), dtype=jnp.float64),
            jax.random.randint(k_random, (size,), 0, vocab_size, dtype=jnp.int64))


@jit
def _mlm_apply(ids, specials, select_u, action_u, random_ids, mask_token_id, mask_prob):
    n = ids.size
    select_u, action_u, random_ids = (a[:n].reshape(ids.shape) for a in (select_u, action_u, random_ids))
    is_special = jnp.any(ids[..., None] == specials, axis=-1)
    # uniform is in [0, 1), so mask_prob=1 selects everything and mask_prob=0 nothing.
    selected = (select_u < mask_prob) & ~is_special
    replaced = jnp.where(action_u < 0.8, mask_token_id, jnp.where(action_u < 0.9, random_ids, ids))
    masked_ids = jnp.where(selected, replaced, ids)
    labels = jnp.where(selected, ids, jnp.int64(-100))
    return masked_ids, labels


def _padded_specials(specials):
    """Specials padded (with a repeat, or -1 which no valid id equals) to a power-of-two length >= 8,
    so the number of special tokens does not force a recompilation."""
    size = 1 << max(len(specials) - 1, 7).bit_length()
    fill = specials[0] if specials else -1
    return jnp.asarray(specials + (fill,) * (size - len(specials)), dtype=jnp.int64)


def mlm_mask(input_ids, *, seed, vocab_size, mask_token_id, special_token_ids=(), mask_prob=0.15):
    """BERT's masking: each non-special token is selected with probability ``mask_prob``, independently.

    A selected token becomes ``mask_token_id`` w.p. 0.8, a uniform id in ``[0, vocab_size)`` w.p. 0.1, and
    stays w.p. 0.1; ``labels`` is the original id where selected, -100 elsewhere. Returns int64
    ``(masked_ids, labels)``, deterministic in ``seed`` (``jax.random.PRNGKey``).
    """
    ids = _as_array(input_ids, "mlm_mask", "input_ids")
    seed, specials = _v.check_mlm_mask(ids.dtype.name, seed, vocab_size, mask_token_id, special_token_ids,
                                       mask_prob)
    _v.check_mlm_ids_range(*_id_bounds(ids), vocab_size)
    with jax.default_device(DEVICE):
        draws = _mlm_draws(jax.random.PRNGKey(seed), jnp.int64(vocab_size), size=_bucket(ids.size))
        return _mlm_apply(ids.astype(jnp.int64), _padded_specials(specials), *draws, jnp.int64(mask_token_id),
                          jnp.float64(mask_prob))
