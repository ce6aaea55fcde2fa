"""What transformers computes differently from the catalogue, as the suite observed it (transformers 5.25.0,
torch 2.13, CPU): one :class:`impls._findings.Finding` per difference, each with its cause in the library's source
and a standalone repro under ``docs/scoreboard/repro/``. ``KNOWN_DEVIATIONS`` is derived from them; a finding
that only some inputs show is scoped to a regime (a name of ``properties/regimes.py`` or a predicate below)."""
import numpy as np

from impls._findings import Finding, known_deviations

_SITE = ".venv/lib/python3.11/site-packages/"
_LLAMA = "transformers/models/llama/modeling_llama.py"
_REPRO = "docs/scoreboard/repro/"
_FLOAT16_TINY = float(np.finfo(np.float16).tiny)  # smallest normal float16, 6.1e-5


def _score_shape(case):
    """(B, H, Lq, Lk) of an attention case (q/k for attention, x/context/num_heads for multi_head_attention),
    None for another case."""
    if isinstance(case.get("q"), np.ndarray) and isinstance(case.get("k"), np.ndarray):
        q, k = case["q"], case["k"]
        return q.shape[0], q.shape[1], q.shape[2], k.shape[2]
    if isinstance(case.get("x"), np.ndarray) and "num_heads" in case:
        x, context = case["x"], case.get("context")
        k_len = context.shape[1] if isinstance(context, np.ndarray) else x.shape[1]
        return x.shape[0], case["num_heads"], x.shape[1], k_len
    return None


def no_finite_allowed_key(case, dtype) -> bool:
    """Some query row has no allowed key with a finite logit: fully masked (mask AND bottom-right causal), or
    every allowed key of the row carries a -inf bias (any bias the case holds)."""
    shape = _score_shape(case) if isinstance(case, dict) else None
    if shape is None:
        return False
    lq, lk = shape[2:]
    allowed = np.ones(shape, dtype=bool)
    if case.get("is_causal"):
        allowed &= np.arange(lk)[None, :] <= np.arange(lq)[:, None] + (lk - lq)
    mask = case.get("mask")
    if isinstance(mask, np.ndarray) and mask.dtype == bool:
        allowed &= np.broadcast_to(mask, shape)
    if not allowed.any(axis=-1).all():
        return True
    for key in ("bias", "dropped", "shifted"):
        bias = case.get(key)
        if isinstance(bias, np.ndarray) and np.isneginf(bias.astype(np.float64)).any():
            if not (allowed & np.isfinite(np.broadcast_to(bias.astype(np.float64), shape))).any(axis=-1).all():
                return True
    return False


def ids_read_padding_row(case, dtype) -> bool:
    """Some input id is 0, BertConfig's default ``pad_token_id`` (the word row nn.Embedding's padding_idx)."""
    return isinstance(case, dict) and isinstance(case.get("input_ids"), np.ndarray) \
        and bool((case["input_ids"] == 0).any())


def mask_id_past_vocabulary(case, dtype) -> bool:
    """``mask_token_id > vocab_size``: the tokenizer holding [MASK] has ids past the catalogue's vocabulary
    other than [MASK] itself (unused ones), and ``len(tokenizer) > vocab_size + 1``."""
    return isinstance(case, dict) and case.get("mask_token_id", 0) > case.get("vocab_size", 0)


def swiglu_hidden_subnormal_in_half(case, dtype) -> bool:
    """Some SwiGLU hidden value silu(x w1) * (x w3) (in float64) is nonzero and below float16's smallest normal
    6.1e-5, where a float16 intermediate keeps fewer than 11 significant bits."""
    if not isinstance(case, dict) or case.get("activation") != "swiglu":
        return False
    x = case["x"].astype(np.float64)
    params = {k: v.astype(np.float64) for k, v in case["params"].items()}
    gate = x @ params["w1"]
    with np.errstate(over="ignore"):  # exp(-gate) = inf for a large negative gate: silu is then 0
        hidden = np.abs(gate / (1 + np.exp(-gate)) * (x @ params["w3"]))
    return bool(((hidden > 0) & (hidden < _FLOAT16_TINY)).any())


_ATTN = ("attention_weights", "scaled_dot_product_attention")

FINDINGS = (
    Finding(
        id="transformers-rmsnorm-float64-in-float32",
        title="LlamaRMSNorm computes float64 inputs in float32 (x.to(float32)), so float64 gets float32 accuracy "
              "and an eps below float32's resolution of mean(x^2) is lost",
        checks=tuple(("rms_norm", p, "float64") for p in
                     ("matches_oracle", "zero_mean_unit_variance", "vjp_matches_finite_differences",
                      "vjp_orthogonal_to_invariances")),
        cause="LlamaRMSNorm.forward casts the input to torch.float32 unconditionally (meant to upcast half "
              "precision), normalises there and casts back: a float64 input is rounded to float32 first, so the "
              "result carries ~1e-7 relative error (at x = -10.06, eps = 1e-6: -1.0 where the float64 value is "
              "-0.99999999506, eps vanishing next to mean(x^2) = 101 in float32) and its gradient too",
        source=_SITE + _LLAMA + ":LlamaRMSNorm.forward",
        kind="precision",
        repro=_REPRO + "transformers-rmsnorm-float64-in-float32.py",
        options={"module": "LlamaRMSNorm"},
    ),
    Finding(
        id="transformers-rmsnorm-square-overflow",
        title="LlamaRMSNorm squares the input in float32 without rescaling: |x| above ~1.8e19 overflows "
              "mean(x^2) and the output is 0",
        checks=(("rms_norm", "matches_oracle", "bfloat16"), ("rms_norm", "matches_oracle", "float32"),
                ("rms_norm", "zero_mean_unit_variance", "float32")),
        cause="LlamaRMSNorm.forward forms hidden_states.pow(2).mean(-1) in float32: for |x| above sqrt(float32 "
              "max) = 1.8e19 (reachable by float32 and bfloat16 inputs, not float16 ones) the square is inf, "
              "rsqrt(inf) = 0 and x * 0 = 0 (x = -8.5e37 gives -0.0 for -1.0)",
        source=_SITE + _LLAMA + ":LlamaRMSNorm.forward",
        kind="precision",
        repro=_REPRO + "transformers-rmsnorm-square-overflow.py",
        regime="magnitudes above sqrt(dtype max)",
        options={"module": "LlamaRMSNorm"},
    ),
    Finding(
        id="transformers-gelu-left-tail",
        title='ACT2FN["gelu"] and ["gelu_new"] evaluate x/2 (1 + erf(.)) and x/2 (1 + tanh(.)), which cancel in '
              "the left tail: 0 where the value is small but representable (below x ~ -6 in float32, ~ -4.4 for "
              "gelu_new in half precision)",
        checks=tuple(("gelu", "matches_oracle", d) for d in ("float16", "bfloat16", "float32", "float64")),
        cause='GELUActivation (ACT2FN["gelu"], BERT\'s hidden_act) calls torch.nn.functional.gelu, whose CPU kernel '
              "computes x * 0.5 * (1 + erf(x / sqrt 2)) (in float32 for half inputs): 1 + erf(u) cancels for "
              "u << 0, so the left tail loses all relative accuracy (x = -10.06: 0 for -4.0e-23 in float32, "
              "float64 and bfloat16); erfc(-u) would not cancel. NewGELUActivation (ACT2FN[\"gelu_new\"], GPT-2's "
              "approximate form) is written with torch ops in the input dtype, so in float16/bfloat16 tanh(u) "
              "rounds to -1 already for u < ~-4 (x = -4.36 in float16: 0 for -1.1e-5)",
        source=_SITE + "transformers/activations.py:GELUActivation.forward (torch.nn.functional.gelu), "
               "NewGELUActivation.forward",
        kind="precision",
        repro=_REPRO + "transformers-gelu-left-tail.py",
        options={"activation": "gelu, gelu_new"},
    ),
    Finding(
        id="transformers-gelu-position-dependent",
        title='ACT2FN["gelu"] in float64 gives an element a value that depends on where it sits in the array '
              "(the kernel's vector body and scalar tail round differently)",
        checks=(("gelu", "elementwise", "float64"),),
        cause="GELUActivation calls torch.nn.functional.gelu, whose float64 CPU kernel evaluates the first "
              "elements of an array in its vectorised body (16 at a time) and the remainder in a tail loop whose "
              "erf rounds differently: 24 copies of x = -1.8628 give -0.05819913269084577 at positions 0-15 and "
              "-0.058199132690845666 at 16-23 (1-2 ulps apart). Inherited from torch",
        source=_SITE + "transformers/activations.py:GELUActivation.forward (torch.nn.functional.gelu)",
        kind="precision",
        repro=_REPRO + "transformers-gelu-position-dependent.py",
        options={"activation": "gelu"},
    ),
    Finding(
        id="transformers-attention-masked-rows",
        title="eager attention masks with finfo(dtype).min, not -inf: a query row with no allowed key attends "
              "all its (masked) keys by their scores, and a row whose bias is -inf everywhere is NaN",
        checks=tuple((c, p, d) for c in _ATTN for d in ("float16", "bfloat16", "float32") for p in
                     ("matches_oracle", "bias_matches_oracle", "fully_masked_rows_are_zero"))
        + tuple(("attention_weights", "rows_are_distributions_over_allowed_keys", d)
                for d in ("float16", "bfloat16", "float32"))
        + (("attention_weights", "bias_neg_inf_equals_masking", "float32"),
           ("attention_weights", "vjp_matches_finite_differences", "float32"),
           ("scaled_dot_product_attention", "bias_neg_inf_equals_masking", "float32"),
           ("scaled_dot_product_attention", "causal_ignores_the_future", "float32"),
           ("scaled_dot_product_attention", "masked_keys_and_values_are_ignored", "float32"),
           ("scaled_dot_product_attention", "vjp_matches_finite_differences", "float32"))
        + tuple(("multi_head_attention", p, d) for d in ("float16", "bfloat16", "float32")
                for p in ("matches_oracle", "bias_matches_oracle"))
        + (("multi_head_attention", "causal_ignores_the_future", "float32"),
           ("multi_head_attention", "vjp_matches_finite_differences", "float32")),
        cause="masking_utils.eager_mask turns the boolean mask into 0 / torch.finfo(dtype).min (finite by design, "
              "to avoid -inf arithmetic), and eager_attention_forward adds it to the scores and takes a plain "
              "softmax: when every key of a row is masked, all its logits are shifted by the same finfo.min and "
              "the softmax spreads the row over the masked keys (probability 1 for a single key, the output "
              "their values), where the catalogue gives 0. A -inf bias on every key of a row (T5 adds its "
              "position bias the same way), or in float16 a bias below ~-16 added to finfo.min = -65504 "
              "(which overflows to -inf), gives softmax(-inf, ..., -inf) = NaN",
        source=_SITE + "transformers/masking_utils.py:eager_mask; " + _SITE + _LLAMA + ":eager_attention_forward",
        kind="convention",
        repro=_REPRO + "transformers-attention-masked-rows.py",
        regime=no_finite_allowed_key,
        options={"attn_implementation": "eager"},
    ),
    Finding(
        id="transformers-attention-float64-softmax-in-float32",
        title="eager_attention_forward takes the softmax of float64 scores in float32: float32 accuracy, and "
              "NaN rows where the float64 min mask becomes -inf",
        checks=tuple((c, p, "float64") for c in _ATTN for p in
                     ("matches_oracle", "bias_matches_oracle", "bias_constant_along_keys_changes_nothing",
                      "bias_neg_inf_equals_masking", "fully_masked_rows_are_zero",
                      "vjp_matches_finite_differences"))
        + (("attention_weights", "rows_are_distributions_over_allowed_keys", "float64"),
           ("attention_weights", "unscaled_logits_are_sqrt_d_times_scaled", "float64"),
           ("scaled_dot_product_attention", "causal_ignores_the_future", "float64"),
           ("scaled_dot_product_attention", "convex_combination_of_allowed_values", "float64"),
           ("scaled_dot_product_attention", "grouped_heads_equal_repeated_kv", "float64"),
           ("scaled_dot_product_attention", "kv_head_reaches_only_its_group", "float64"),
           ("scaled_dot_product_attention", "masked_keys_and_values_are_ignored", "float64"))
        + tuple(("multi_head_attention", p, "float64") for p in
                ("matches_oracle", "bias_matches_oracle", "causal_ignores_the_future",
                 "grouped_heads_equal_mha_with_repeated_kv", "heads_are_single_head_attentions",
                 "packed_qkv_equals_separate", "self_attention_is_permutation_equivariant",
                 "vjp_matches_finite_differences")),
        cause="eager_attention_forward calls nn.functional.softmax(scores, dim=-1, dtype=torch.float32) and casts "
              "back to query.dtype (meant to upcast half precision): float64 scores are rounded to float32, so "
              "the probabilities carry ~1e-7 relative error (2e-7 absolute on 9e-15); and the float64 mask value "
              "finfo(float64).min = -1.8e308 overflows to -inf in float32, so a fully masked row is "
              "softmax(-inf, ..., -inf) = NaN, whose NaN output then reaches every later position through the "
              "values (NaN * 0 = NaN)",
        source=_SITE + _LLAMA + ":eager_attention_forward",
        kind="bug",
        repro=_REPRO + "transformers-attention-float64-softmax-in-float32.py",
        writeup="docs/scoreboard/upstream/transformers-attention-float64-softmax-in-float32.md",
        options={"attn_implementation": "eager"},
    ),
    Finding(
        id="transformers-rope-float32-tables",
        title="LlamaRotaryEmbedding computes cos/sin in float32 and casts them to x's dtype: in float64 the "
              "rotation is not orthogonal (pair norms change by ~1e-8)",
        checks=(("rope", "preserves_pair_norms", "float64"),),
        cause="LlamaRotaryEmbedding.forward forms the angles position_ids.float() * inv_freq (inv_freq from "
              "compute_default_rope_parameters in float32) and returns cos/sin .to(x.dtype): in float64 cos and "
              "sin are float32 values, cos^2 + sin^2 = 1 only to ~6e-8, so apply_rotary_pos_emb scales each pair's "
              "norm by up to ~1e-8 (1.6923375 -> 1.6923375192 at position 1), far above float64 rounding",
        source=_SITE + _LLAMA + ":LlamaRotaryEmbedding.forward",
        kind="precision",
        repro=_REPRO + "transformers-rope-float32-tables.py",
        options={"module": "LlamaRotaryEmbedding"},
    ),
    Finding(
        id="transformers-bert-padding-row-gradient",
        title="BertEmbeddings' word table has padding_idx = pad_token_id (0 by default): the row of token 0 "
              "gets no gradient",
        checks=(("bert_embeddings", "vjp_matches_finite_differences", "float32"),
                ("bert_embeddings", "vjp_matches_finite_differences", "float64")),
        cause="BertEmbeddings.__init__ builds nn.Embedding(vocab_size, hidden_size, padding_idx=config."
              "pad_token_id); BertConfig's pad_token_id defaults to 0 and nn.Embedding never accumulates a "
              "gradient into its padding_idx row, so d/d word[0] is 0 where tokens 0 read it (the catalogue's "
              "formula has no padding token)",
        source=_SITE + "transformers/models/bert/modeling_bert.py:BertEmbeddings.__init__",
        kind="convention",
        repro=_REPRO + "transformers-bert-padding-row-gradient.py",
        regime=ids_read_padding_row,
        options={"pad_token_id": 0},
    ),
    Finding(
        id="transformers-mlm-random-from-whole-tokenizer",
        title="DataCollatorForLanguageModeling draws its random replacement ids from randint(len(tokenizer)), "
              "the whole tokenizer ([MASK], special and unused tokens included), not [0, vocab_size)",
        checks=(("mlm_mask", "labels_and_unselected_tokens"),),
        cause="torch_mask_tokens replaces the 10% random share with torch.randint(len(self.tokenizer), ...): every "
              "id of the tokenizer can be drawn, including [MASK], the special tokens and any token past the "
              "model's vocabulary (here unused ids between vocab_size and a mask_token_id past it: 11 drawn "
              "with vocab_size 10 and [MASK] = 13); the catalogue draws uniformly from [0, vocab_size)",
        source=_SITE + "transformers/data/data_collator.py:DataCollatorForLanguageModeling.torch_mask_tokens",
        kind="convention",
        repro=_REPRO + "transformers-mlm-random-from-whole-tokenizer.py",
        regime=mask_id_past_vocabulary,
        options={"mlm_probability": "mask_prob"},
    ),
    Finding(
        id="transformers-llamamlp-half-intermediates",
        title="LlamaMLP in float16 stores silu(gate) * up in float16: hidden values below 6.1e-5 are subnormal "
              "and keep only a few bits",
        checks=(("feed_forward", "matches_oracle", "float16"),),
        cause="LlamaMLP.forward computes down_proj(act_fn(gate_proj(x)) * up_proj(x)) with every intermediate a "
              "float16 tensor; a hidden product below float16's smallest normal (6.1e-5) is rounded to a "
              "multiple of 6e-8, and down_proj sums those errors (2.98e-7 for 3.66e-7 with x ~ 1e-3), past the "
              "catalogue's allowance of two roundings per stored intermediate",
        source=_SITE + _LLAMA + ":LlamaMLP.forward",
        kind="precision",
        repro=_REPRO + "transformers-llamamlp-half-intermediates.py",
        regime=swiglu_hidden_subnormal_in_half,
        options={"module": "LlamaMLP"},
    ),
)

KNOWN_DEVIATIONS = known_deviations(FINDINGS)
