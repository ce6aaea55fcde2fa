"""BERT's input embeddings (``BertEmbeddings``) and masked-language-model masking
(``DataCollatorForLanguageModeling``), called as transformers users call them."""
from functools import lru_cache

from tokenizers import Tokenizer
from tokenizers.models import WordLevel
from transformers import BertConfig, DataCollatorForLanguageModeling, PreTrainedTokenizerFast
from transformers.models.bert.modeling_bert import BertEmbeddings

from impls._validate import bert as check

from ._util import call_with

__all__ = ["bert_embeddings", "mlm_mask"]

_TABLES = {"word": "word_embeddings.weight", "position": "position_embeddings.weight",
           "token_type": "token_type_embeddings.weight", "ln_weight": "LayerNorm.weight",
           "ln_bias": "LayerNorm.bias"}


def _dtype(x):
    return str(x.dtype).removeprefix("torch.")


def _bounds(ids):
    """(min, max) of an id tensor as Python ints, (None, None) when empty."""
    return (None, None) if ids.numel() == 0 else (int(ids.min()), int(ids.max()))


@lru_cache(maxsize=32)
def _embeddings(vocab, positions, types, d_model, eps):
    """A ``BertEmbeddings`` of these table sizes in eval mode (dropout off), ``layer_norm_eps = eps`` (the
    drawn tables replace its parameters at each call, see ``call_with``)."""
    config = BertConfig(vocab_size=vocab, hidden_size=d_model, max_position_embeddings=positions,
                        type_vocab_size=types, layer_norm_eps=eps, hidden_dropout_prob=0.0)
    return BertEmbeddings(config).eval()


def bert_embeddings(input_ids, token_type_ids, params, *, eps=1e-12):
    """``BertEmbeddings(input_ids, token_type_ids)``: LayerNorm(word[ids] + position[0..L-1] + token_type[types])
    with ``nn.LayerNorm(d, eps=layer_norm_eps)``; ``token_type_ids=None`` takes the module's all-zero buffer. The
    config keeps BertConfig's default ``pad_token_id = 0``, so the word table's row 0 is nn.Embedding's
    ``padding_idx`` (no gradient reaches it), as in every BERT model built from a default config."""
    where = "bert_embeddings"
    check.require_keys(params, check.EMBEDDING_KEYS, where)
    types = token_type_ids
    vocab, positions, num_types = check.check_bert_embeddings(
        input_ids.shape, _dtype(input_ids), None if types is None else types.shape,
        None if types is None else _dtype(types),
        {key: (params[key].shape, _dtype(params[key])) for key in check.EMBEDDING_KEYS})
    check.check_id_range("input_ids", *_bounds(input_ids), vocab, where, "params['word']")
    if types is not None:
        check.check_id_range("token_type_ids", *_bounds(types), num_types, where, "params['token_type']")
    d_model = params["word"].shape[1]
    module = _embeddings(vocab, positions, num_types, d_model, float(eps))
    weights = {name: params[key] for key, name in _TABLES.items()}
    return call_with(module, weights, input_ids=input_ids, token_type_ids=types)


@lru_cache(maxsize=16)
def _tokenizer(vocab_size, mask_token_id, specials):
    """The smallest real tokenizer the collator accepts: a ``PreTrainedTokenizerFast`` over a ``tokenizers``
    WordLevel vocabulary whose ids ``0..vocab_size-1`` are the catalogue's vocabulary (those in ``specials`` its
    additional special tokens, which ``get_special_tokens_mask`` keeps from being selected) and whose token at
    ``mask_token_id`` is its ``mask_token``. A mask id past the vocabulary is placed there, the ids in between
    being unused tokens (as BERT's vocabulary has ``[unused*]`` tokens); ``len(tokenizer)`` is then
    ``max(vocab_size, mask_token_id + 1)``."""
    names = [f"t{i}" for i in range(vocab_size)] + [f"[unused{i}]" for i in range(vocab_size, mask_token_id + 1)]
    for i in specials:
        names[i] = f"[S{i}]"
    names[mask_token_id] = "[MASK]"
    backend = Tokenizer(WordLevel({name: i for i, name in enumerate(names)}, unk_token=names[0]))
    return PreTrainedTokenizerFast(tokenizer_object=backend, mask_token="[MASK]",
                                   additional_special_tokens=[names[i] for i in specials if i != mask_token_id])


def mlm_mask(input_ids, *, seed, vocab_size, mask_token_id, special_token_ids=(), mask_prob=0.15):
    """``DataCollatorForLanguageModeling(tokenizer, mlm_probability=mask_prob, seed=seed)`` called on the rows of
    ``input_ids`` (``collator(list_of_rows)``, as a Trainer calls it): returns ``(input_ids, labels)`` of its batch.
    The collator selects non-special tokens with ``torch.bernoulli(mask_prob)`` from a ``torch.Generator`` seeded
    with ``seed``, replaces 80% by [MASK], 10% by ``randint(len(tokenizer))``, keeps 10%, labels -100 elsewhere."""
    seed, specials = check.check_mlm_mask(_dtype(input_ids), seed, vocab_size, mask_token_id, special_token_ids,
                                          mask_prob)
    check.check_mlm_ids_range(*_bounds(input_ids), vocab_size)
    tokenizer = _tokenizer(vocab_size, mask_token_id, specials)
    collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=mask_prob, seed=seed)
    rows = input_ids.reshape(-1, input_ids.shape[-1]).long() if input_ids.ndim else input_ids.reshape(1, 1).long()
    batch = collator([row for row in rows])
    return batch["input_ids"].reshape(input_ids.shape), batch["labels"].reshape(input_ids.shape)
