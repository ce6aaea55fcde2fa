"""Generate ``docs/notes-to-checks.md``: every section of the seed notes (``../shared/seed/``), what it claims in
our words, the registered properties that check the claim (with their statements, taken from the registry) and
the planted bugs each one catches; where the notes are imprecise, what holds instead.

    python docs/notes_to_checks.py            # rewrite the page
    python docs/notes_to_checks.py --check    # exit 1 if the page is stale (tests/test_docs.py runs this)

The claims are ours; everything else on the page comes from the registry and the mutant zoo, so it cannot drift.
"""
from __future__ import annotations

import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "notes-to-checks.md"

#: (section of the notes, its claim in our words, the property keys that check it, what holds instead or "")
CLAIMS = [
    ("1 Normalization / 1.1 What a norm does",
     "BatchNorm, LayerNorm, InstanceNorm and GroupNorm all compute (x - E[x]) / sqrt(Var[x] + eps) * gamma + beta; "
     "they differ only in the axes the statistics run over.",
     ["batch_norm:zero_mean_unit_variance", "layer_norm:zero_mean_unit_variance",
      "group_norm:extremes_are_layer_and_instance_norm", "layer_norm:weight_bias_are_affine",
      "layer_norm:affine_invariant"],
     "The variance is the biased one (divide by n); the running variance of BatchNorm alone takes the unbiased one."),
    ("1.2 Why not BatchNorm for NLP",
     "BatchNorm normalises each channel across the batch, LayerNorm each sequence position over its embedding; "
     "LayerNorm appears twice per Transformer block.",
     ["batch_norm:eval_is_per_channel_affine", "layer_norm:zero_mean_unit_variance", "bert_embeddings:rows_are_per_token",
      "transformer_block:post_norm_outputs_are_standardised",
      "transformer_block:zero_output_projections_give_identity_or_norms"],
     "'Twice per block' is the post-norm block of the original Transformer and BERT (norm after each residual "
     "add); GPT-2 and LLaMA normalise before each sub-layer (pre-norm) and add one final norm. Both are checked."),
    ("1.3 Training vs inference",
     "BatchNorm uses batch statistics in training and running statistics (an exponential moving average) in "
     "inference; dropout drops in training only.",
     ["batch_norm:running_stats_update", "batch_norm:eval_is_per_channel_affine", "dropout:eval_is_identity",
      "dropout:outputs_are_zero_or_scaled_input"],
     "Scaling by (1 - rate) at inference is classic dropout. PyTorch and the catalogue use inverted dropout: kept "
     "values are scaled by 1 / (1 - p) in training and inference is the identity. Both keep the expected training "
     "output equal to the inference output."),
    ("1.4 RMSNorm",
     "RMSNorm drops the mean subtraction: it only rescales.",
     ["rms_norm:scale_invariant", "rms_norm:equals_layer_norm_on_zero_mean", "rms_norm:zero_mean_unit_variance"],
     "RMSNorm is invariant to scaling x, not to shifting it; it equals LayerNorm (without bias) only on zero-mean "
     "input."),
    ("2 Activations / 2.1 Two kinds",
     "Element-wise activations act on each element independently and keep the shape; softmax couples the "
     "elements of a row.",
     ["relu:elementwise", "sigmoid:elementwise", "tanh:elementwise", "silu:elementwise", "gelu:elementwise",
      "softmax:rows_are_distributions", "softmax:shift_invariant"], ""),
    ("2.2 (empty in the notes)",
     "The identities that tie the activations together.",
     ["sigmoid:symmetric", "tanh:equals_scaled_sigmoid", "relu:odd_part_is_identity",
      "log_softmax:equals_log_of_softmax"], ""),
    ("3 Loss function (empty in the notes)",
     "What the losses must satisfy.",
     ["cross_entropy:equals_logsumexp_minus_logit", "cross_entropy:gradient_is_softmax_minus_target",
      "binary_cross_entropy_with_logits:finite_and_equals_bce_of_sigmoid",
      "kl_divergence:non_negative_and_zero_for_equal", "mse_loss:equals_mean_squared_difference"], ""),
    ("4 Optimizer",
     "Momentum accumulates past gradients; AdamW (which the notes had forgotten) decouples weight decay.",
     ["sgd_step:constant_gradient_buffer_is_geometric_sum", "sgd_step:momentum_zero_is_plain_sgd",
      "adamw_step:weight_decay_zero_equals_adam", "adamw_step:zero_gradient_is_pure_decay",
      "adam_step:first_step_moves_lr_times_sign", "adam_step:invariant_to_gradient_scale"], ""),
    ("5 Transformer / 5.1 Why divide by sqrt(d_k)",
     "Unscaled dot products grow with d_k and push softmax into regions of tiny gradient.",
     ["attention_weights:default_scale_gives_unit_logit_variance",
      "attention_weights:unscaled_logits_are_sqrt_d_times_scaled"], ""),
    ("5.2 Why several heads",
     "Heads attend to different subspaces; splitting divides the computation by the number of heads.",
     ["multi_head_attention:heads_are_single_head_attentions", "count_parameters:mha_block_independent_of_n_heads"],
     "Multi-head attention does not divide the compute by H: the projections cost d x d per token for any H, and "
     "the scores cost H heads x L^2 x d/H = L^2 d, the same as one head of width d. The parameter count does not "
     "depend on H either."),
    ("5.3 Cross attention",
     "Queries come from one sequence, keys and values from another.",
     ["multi_head_attention:cross_attention_ignores_context_order",
      "multi_head_attention:masked_context_positions_are_ignored"], ""),
    ("5.4 Masked attention",
     "A padding mask hides padded keys; a sequence (causal) mask hides the future.",
     ["scaled_dot_product_attention:masked_keys_and_values_are_ignored",
      "scaled_dot_product_attention:causal_ignores_the_future", "multi_head_attention:causal_ignores_the_future",
      "decoder_forward:causal_ignores_the_future"], ""),
    ("5.5 How masking works",
     "Masked logits get a very large negative number (minus infinity), so their probabilities are about 0.",
     ["attention_weights:rows_are_distributions_over_allowed_keys", "attention_weights:fully_masked_rows_are_zero",
      "attention_weights:bias_neg_inf_equals_masking"],
     "With -inf a row whose every key is masked gives NaN in a naive softmax (-inf minus -inf); the catalogue "
     "requires a zero row. A finite -1e4 is not masking: it leaks probability in half precision and where logits "
     "are large."),
    ("5.6 MHA, MQA and GQA",
     "MQA shares one key/value head among all query heads; GQA shares one per group.",
     ["multi_head_attention:grouped_heads_equal_mha_with_repeated_kv",
      "scaled_dot_product_attention:grouped_heads_equal_repeated_kv",
      "scaled_dot_product_attention:kv_head_reaches_only_its_group", "decoder_forward:grouped_kv_equals_repeated_mha",
      "kv_cache_bytes:gqa_is_fraction_of_mha"],
     "Query head h reads key/value head h // (H / Hkv) (repeat-interleave), not h % Hkv (tile)."),
    ("5.7 Position embedding",
     "Attention alone sees no order; the original Transformer adds sinusoids sin(k / 10000^(2i/d)), "
     "cos(k / 10000^(2i/d)) to the token embeddings.",
     ["multi_head_attention:self_attention_is_permutation_equivariant",
      "transformer_block:permutation_equivariant_without_mask_and_positions", "sinusoidal_positions:matches_oracle",
      "sinusoidal_positions:bounded_on_unit_circle", "sinusoidal_positions:dot_depends_only_on_offset",
      "sinusoidal_positions:shift_is_fixed_rotation"],
     "Sine and cosine alternate over the embedding dimension (2i, 2i+1), not over tokens. That the table looks "
     "more and more like 0/1 stripes as d grows (the notes' plots at d = 2, 32, 64, redrawn in the report) is "
     "the low frequencies 10000^(-2i/d) of the high dimensions: for a few hundred positions their angles stay "
     "small, so sin stays near 0 and cos near 1. It is by design, not a defect."),
    ("x.x Other questions",
     "Q, K and V weights are packed into one (d, 3d) matrix; should a token attend to itself; why the FFN is 4x "
     "wide; which axis softmax normalises.",
     ["multi_head_attention:packed_qkv_equals_separate", "mha_decode:packed_qkv_equals_separate",
      "scaled_dot_product_attention:causal_ignores_the_future", "count_parameters:block_is_twelve_d_squared",
      "attention_weights:rows_are_distributions_over_allowed_keys"],
     "Causal attention includes the diagonal: each token attends to itself. Softmax runs over the keys (each query "
     "row sums to 1). At d_ff = 4d a block holds 12 d^2 weights, two thirds of them in the FFN."),
    ("6 K-V cache (empty in the notes)",
     "Decoding with a cache of past keys and values gives what attention over the whole sequence gives.",
     ["mha_decode:chunked_decoding_equals_causal_attention", "decoder_decode:chunked_decoding_equals_forward",
      "kv_cache_bytes:matches_oracle", "kv_cache_bytes:known_models_per_token"], ""),
    ("7 Regularisation",
     "Dropout.",
     ["dropout:kept_fraction_mean_and_row_independence", "dropout:deterministic_per_seed_independent_across_seeds",
      "dropout:outputs_are_zero_or_scaled_input"], ""),
    ("8 BERT",
     "15% of the tokens get one of three treatments; BERT sums three embeddings.",
     ["mlm_mask:selection_rate_and_80_10_10_split", "mlm_mask:labels_and_unselected_tokens",
      "bert_embeddings:layer_norm_of_summed_tables"],
     "The three treatments are 80% [MASK], 10% a uniformly random token, 10% unchanged, among the 15% selected."),
    ("9 Positional encodings / 9.1 Absolute",
     "Absolute encodings (sinusoidal or learned, as in BERT) are added before attention.",
     ["bert_embeddings:matches_oracle", "decoder_forward:matches_oracle", "decoder_decode:chunked_decoding_equals_forward"],
     "Added to the token embeddings, they reach q, k and v alike."),
    ("9.2 Relative",
     "Relative encodings represent distances between tokens (T5's buckets), act after attention and only on q "
     "and k.",
     ["t5_relative_position_bucket:exact_for_small_distances", "t5_relative_position_bucket:monotone_in_distance",
      "relative_position_bias:depends_on_key_minus_query", "alibi_bias:depends_on_key_minus_query",
      "attention_weights:bias_matches_oracle",
      "mha_decode:chunked_decoding_with_position_bias_equals_causal_attention"],
     "Relative position biases act inside attention: they are added to the scaled logits before the softmax, "
     "not after attention."),
    ("9.3 RoPE",
     "Rotary embeddings are relative too, built so that the score depends only on the distance.",
     ["rope:inner_product_is_relative", "rope:preserves_pair_norms", "rope:composes_additively",
      "rope:identity_at_position_zero", "rope:layouts_agree_up_to_permutation"], ""),
    ("10 Parameters and training state",
     "A model's parameters and the state training keeps for them.",
     ["count_parameters:equals_init_element_count", "training_memory_bytes:reproduces_zero_figure_1",
      "training_memory_bytes:stages_shrink_monotonically", "activation_memory_bytes:quadratic_in_seq_len_without_recompute",
      "decoder_forward:no_dead_parameters"],
     "Mixed-precision Adam keeps 16 bytes a parameter (ZeRO's 2 + 2 + 12) before partitioning; activations add "
     "s b h (34 + 5 a s / h) bytes a layer without recomputation."),
]


def _catalogue():
    sys.path.insert(0, str(ROOT))
    from tests.conftest import import_property_modules
    from tests.test_teeth import DECLARED, TEETH
    props = {p.key: p for p in import_property_modules()}
    catches: dict[str, set] = {}
    for key, stem in TEETH.items():
        catches.setdefault(key, set()).add(stem)
    for key, stem, _ in DECLARED:
        catches.setdefault(key, set()).add(stem)
    return props, catches


def render() -> str:
    props, catches = _catalogue()
    lines = ["# The seed notes, claim by claim", "",
             "Generated by `docs/notes_to_checks.py` from the registry and the planted-bug zoo (do not edit by "
             "hand). For each section of the notes this project grew from: the claim in our words, the properties "
             "that check it (run for every implementation that provides the component) with the planted bugs "
             "each one catches, and, where the notes are imprecise, what holds instead.", ""]
    for section, claim, keys, instead in CLAIMS:
        lines += [f"## {section}", "", f"**Claim.** {claim}", ""]
        for key in keys:
            p = props[key]
            bugs = ", ".join(f"`{s}`" for s in sorted(catches.get(key, ())))
            lines.append(f"- `{key}` — {p.statement}" + (f" Catches: {bugs}." if bugs else ""))
        if instead:
            lines += ["", f"**What holds instead.** {instead}"]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    text = render()
    if "--check" in sys.argv:
        sys.exit(0 if PAGE.exists() and PAGE.read_text() == text else 1)
    PAGE.write_text(text)
