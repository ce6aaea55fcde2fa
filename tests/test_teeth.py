"""Every property has teeth: each one fails on at least one planted bug of ``tests/mutants/``.

``TEETH`` maps every registered property (``component:name``) to one mutant it catches; each test runs that one
property against that one mutant (its first supported dtype, or ``n/a``) with the ``mutants`` profile and
expects ``failed``: the property's own assertion, never an ``error`` (a crash is not a catch). A mutant can also
declare what catches it, in the mutant itself: ``CATCHES = ("component:property", "component:property@float16")``
(``@dtype`` where the bug lives in one dtype); every declared pair is tested the same way and joins the map. A property added without a mutant that it catches fails
:func:`test_every_property_has_teeth`: plant a realistic bug it catches (``tests/mutants/``, see the docstrings
there) or, where no NumPy plug-in can exercise it, list it in ``EXEMPT`` with the reason.
``python tests/teeth_matrix.py`` runs every property against every mutant and lists the candidates.
"""
import ast
import functools
import pathlib

import pytest
from hypothesis import settings

from properties.loader import import_target, make_impl
from properties.registry import NO_DTYPE, Check
from properties.runner import run_check
from tests.conftest import import_property_modules

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # planted bugs overflow on purpose

MUTANTS = pathlib.Path(__file__).parent / "mutants"


def declared_catches() -> list[tuple[str, str, str | None]]:
    """(property key, mutant stem, dtype or None) for every ``CATCHES`` a mutant declares (read without
    importing the mutant)."""
    out = []
    for path in sorted(MUTANTS.glob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "CATCHES" for t in node.targets):
                for entry in ast.literal_eval(node.value):
                    key, _, dtype = entry.partition("@")
                    out.append((key, path.stem, dtype or None))
    return out

#: property key -> the stem of a mutant in tests/mutants/ that it catches
TEETH = {
    # activations
    "relu:matches_oracle": "activations_relu_leaky",
    "sigmoid:matches_oracle": "activations_sigmoid_naive",
    "tanh:matches_oracle": "activations_tanh_via_exp",
    "silu:matches_oracle": "activations_silu_quick_gelu",
    "gelu:matches_oracle": "activations_gelu_approx_wrong_constant",
    "softmax:matches_oracle": "activations_softmax_axis_ignored",
    "log_softmax:matches_oracle": "activations_log_of_softmax",
    "relu:odd_part_is_identity": "activations_relu_leaky",
    "sigmoid:symmetric": "activations_sigmoid_naive",
    "tanh:equals_scaled_sigmoid": "activations_tanh_as_shifted_sigmoid",
    "relu:elementwise": "activations_relu_tail_reads_neighbour",
    "sigmoid:elementwise": "activations_sigmoid_naive",
    "tanh:elementwise": "activations_tanh_via_exp",
    "silu:elementwise": "activations_silu_softmax_gate",
    "gelu:elementwise": "activations_gelu_tail_reads_neighbour",
    "softmax:rows_are_distributions": "activations_softmax_axis_ignored",
    "softmax:shift_invariant": "activations_softmax_no_max_subtraction",
    "log_softmax:equals_log_of_softmax": "activations_log_softmax_shift_once",
    "log_softmax:finite_for_large_inputs": "activations_log_of_softmax",
    "softmax:vjp_rows_sum_to_zero": "autodiff_vjp_ignores_cotangent",
    "log_softmax:vjp_rows_sum_to_zero": "autodiff_vjp_ignores_cotangent",
    "sigmoid:vjp_matches_finite_differences": "autodiff_vjp_ignores_cotangent",
    "tanh:vjp_matches_finite_differences": "autodiff_vjp_ignores_cotangent",
    "silu:vjp_matches_finite_differences": "autodiff_vjp_ignores_cotangent",
    "gelu:vjp_matches_finite_differences": "autodiff_vjp_ignores_cotangent",
    # attention
    "attention_weights:matches_oracle": "attention_additive_mask_1e4",
    "scaled_dot_product_attention:matches_oracle": "attention_additive_mask_1e4",
    "attention_weights:rows_are_distributions_over_allowed_keys": "attention_additive_mask_1e4",
    "attention_weights:fully_masked_rows_are_zero": "attention_additive_mask_1e4",
    "scaled_dot_product_attention:fully_masked_rows_are_zero": "attention_additive_mask_1e4",
    "scaled_dot_product_attention:masked_keys_and_values_are_ignored": "attention_additive_mask_1e4",
    "scaled_dot_product_attention:causal_ignores_the_future": "attention_additive_mask_1e4",
    "scaled_dot_product_attention:convex_combination_of_allowed_values": "attention_causal_dropped_without_mask",
    "scaled_dot_product_attention:grouped_heads_equal_repeated_kv": "attention_fully_masked_nan",
    "scaled_dot_product_attention:kv_head_reaches_only_its_group": "attention_fully_masked_nan",
    "attention_weights:unscaled_logits_are_sqrt_d_times_scaled": "attention_scale_1_over_d",
    "attention_weights:default_scale_gives_unit_logit_variance": "attention_scale_1_over_d",
    "attention_weights:vjp_matches_finite_differences": "autodiff_vjp_ignores_cotangent",
    "scaled_dot_product_attention:vjp_matches_finite_differences": "autodiff_vjp_ignores_cotangent",
    "multi_head_attention:matches_oracle": "attention_cross_kv_from_x",
    "multi_head_attention:self_attention_is_permutation_equivariant": "attention_heads_bare_reshape",
    "multi_head_attention:cross_attention_ignores_context_order": "attention_heads_bare_reshape",
    "multi_head_attention:causal_ignores_the_future": "attention_heads_bare_reshape",
    "multi_head_attention:heads_are_single_head_attentions": "attention_heads_bare_reshape",
    "multi_head_attention:grouped_heads_equal_mha_with_repeated_kv": "attention_wrong_kv_head",
    "multi_head_attention:packed_qkv_equals_separate": "attention_packed_qkv_per_head",
    "multi_head_attention:vjp_matches_finite_differences": "autodiff_vjp_ignores_cotangent",
    "mha_decode:matches_oracle": "attention_decode_cache_wrong_order",
    "mha_decode:chunked_decoding_equals_causal_attention": "attention_decode_cache_wrong_order",
    "mha_decode:packed_qkv_equals_separate": "attention_decode_packed_kv_swapped",
    "mha_decode:vjp_matches_finite_differences": "autodiff_vjp_ignores_cotangent",
    "feed_forward:matches_oracle": "attention_swiglu_gate_wrong_branch",
    "feed_forward:position_wise": "attention_ffn_mixes_neighbour_positions",
    "feed_forward:vjp_matches_finite_differences": "autodiff_vjp_ignores_cotangent",
    "attention_weights:rejects_bad_input": "attention_float_mask_as_bool",
    "scaled_dot_product_attention:rejects_bad_input": "attention_float_mask_as_bool",
    "multi_head_attention:rejects_bad_input": "attention_unknown_params_ignored",
    "mha_decode:rejects_bad_input": "attention_unknown_params_ignored",
    "feed_forward:rejects_bad_input": "attention_ffn_unknown_activation_gelu",
    # bert
    "bert_embeddings:matches_oracle": "bert_embeddings_no_token_type",
    "bert_embeddings:layer_norm_of_summed_tables": "bert_embeddings_no_token_type",
    "bert_embeddings:rows_are_per_token": "bert_embeddings_stats_over_batch",
    "bert_embeddings:vjp_matches_finite_differences": "autodiff_vjp_ignores_cotangent",
    "bert_embeddings:rejects_bad_input": "bert_embeddings_no_token_type",
    "mlm_mask:labels_and_unselected_tokens": "bert_mlm_labels_everywhere",
    "mlm_mask:selection_rate_and_80_10_10_split": "bert_mlm_labels_everywhere",
    "mlm_mask:deterministic_in_seed": "bert_mlm_labels_everywhere",
    "mlm_mask:rejects_bad_input": "bert_mlm_labels_everywhere",
    # losses
    "cross_entropy:matches_oracle": "losses_ce_no_max_shift",
    "cross_entropy:equals_logsumexp_minus_logit": "losses_ce_no_max_shift",
    "cross_entropy:gradient_is_softmax_minus_target": "autodiff_vjp_ignores_cotangent",
    "cross_entropy:ignored_rows_do_not_contribute": "losses_ce_no_max_shift",
    "cross_entropy:rejects_bad_input": "losses_ce_negative_target_wraps",
    "binary_cross_entropy_with_logits:matches_oracle": "losses_bce_of_sigmoid",
    "binary_cross_entropy_with_logits:finite_and_equals_bce_of_sigmoid": "losses_bce_of_sigmoid",
    "binary_cross_entropy_with_logits:vjp_matches_finite_differences": "autodiff_vjp_ignores_cotangent",
    "binary_cross_entropy_with_logits:rejects_bad_input": "losses_bce_broadcasts",
    "mse_loss:matches_oracle": "losses_mse_sum_for_mean",
    "mse_loss:equals_mean_squared_difference": "losses_mse_sum_for_mean",
    "mse_loss:vjp_matches_finite_differences": "autodiff_vjp_ignores_cotangent",
    "mse_loss:rejects_bad_input": "losses_mse_broadcasts",
    "kl_divergence:matches_oracle": "losses_kl_reversed",
    "kl_divergence:non_negative_and_zero_for_equal": "losses_kl_weighted_by_q",
    "kl_divergence:matches_bernoulli_closed_form": "losses_kl_reversed",
    "kl_divergence:vjp_matches_finite_differences": "autodiff_vjp_ignores_cotangent",
    "kl_divergence:rejects_bad_input": "losses_kl_broadcasts",
    # norms
    "batch_norm:matches_oracle": "norms_batch_norm_stats_over_batch_only",
    "layer_norm:matches_oracle": "norms_bias_before_weight",
    "instance_norm:matches_oracle": "norms_instance_norm_over_channels",
    "group_norm:matches_oracle": "norms_groups_by_modulo",
    "rms_norm:matches_oracle": "norms_rms_norm_eps_outside",
    "batch_norm:zero_mean_unit_variance": "norms_batch_norm_stats_over_batch_only",
    "layer_norm:zero_mean_unit_variance": "norms_bias_before_weight",
    "instance_norm:zero_mean_unit_variance": "norms_instance_norm_over_channels",
    "group_norm:zero_mean_unit_variance": "norms_groups_by_modulo",
    "rms_norm:zero_mean_unit_variance": "norms_rms_norm_eps_outside",
    "batch_norm:affine_invariant": "norms_channel_eps_outside_sqrt",
    "layer_norm:affine_invariant": "norms_eps_outside_sqrt",
    "instance_norm:affine_invariant": "norms_channel_eps_outside_sqrt",
    "group_norm:affine_invariant": "norms_channel_eps_outside_sqrt",
    "rms_norm:scale_invariant": "norms_rms_norm_eps_outside",
    "batch_norm:weight_bias_are_affine": "norms_channel_bias_before_weight",
    "layer_norm:weight_bias_are_affine": "norms_bias_before_weight",
    "instance_norm:weight_bias_are_affine": "norms_channel_bias_before_weight",
    "group_norm:weight_bias_are_affine": "norms_channel_bias_before_weight",
    "rms_norm:weight_bias_are_affine": "norms_rms_weight_before_normalising",
    "group_norm:extremes_are_layer_and_instance_norm": "norms_group_norm_unbiased_variance",
    "rms_norm:equals_layer_norm_on_zero_mean": "norms_rms_norm_l2_normalize",
    "batch_norm:eval_is_per_channel_affine": "norms_eval_uses_batch_stats",
    "batch_norm:running_stats_update": "norms_batch_norm_stats_over_batch_only",
    "batch_norm:finite_for_large_half_inputs": "norms_channel_stats_in_half_precision",
    "layer_norm:finite_for_large_half_inputs": "norms_stats_in_half_precision",
    "instance_norm:finite_for_large_half_inputs": "norms_channel_stats_in_half_precision",
    "group_norm:finite_for_large_half_inputs": "norms_channel_stats_in_half_precision",
    "rms_norm:finite_for_large_half_inputs": "norms_channel_stats_in_half_precision",
    "batch_norm:vjp_matches_finite_differences": "autodiff_vjp_ignores_cotangent",
    "layer_norm:vjp_matches_finite_differences": "autodiff_vjp_ignores_cotangent",
    "instance_norm:vjp_matches_finite_differences": "autodiff_vjp_ignores_cotangent",
    "group_norm:vjp_matches_finite_differences": "autodiff_vjp_ignores_cotangent",
    "rms_norm:vjp_matches_finite_differences": "autodiff_vjp_ignores_cotangent",
    "batch_norm:vjp_orthogonal_to_invariances": "autodiff_vjp_ignores_cotangent",
    "layer_norm:vjp_orthogonal_to_invariances": "autodiff_vjp_ignores_cotangent",
    "instance_norm:vjp_orthogonal_to_invariances": "autodiff_vjp_ignores_cotangent",
    "group_norm:vjp_orthogonal_to_invariances": "autodiff_vjp_ignores_cotangent",
    "rms_norm:vjp_orthogonal_to_invariances": "autodiff_vjp_ignores_cotangent",
    "batch_norm:rejects_bad_input": "norms_param_shape_broadcasts",
    "layer_norm:rejects_bad_input": "norms_param_shape_broadcasts",
    "instance_norm:rejects_bad_input": "norms_param_shape_broadcasts",
    "group_norm:rejects_bad_input": "norms_group_norm_uneven_groups",
    "rms_norm:rejects_bad_input": "norms_rms_normalized_ndim_unchecked",
    # optim
    "sgd_step:matches_oracle": "optim_sgd_first_buffer_zero_with_dampening",
    "sgd_step:momentum_zero_is_plain_sgd": "optim_sgd_buffer_updated_without_momentum",
    "sgd_step:trajectory_matches_oracle": "optim_sgd_first_buffer_zero_with_dampening",
    "sgd_step:rejects_bad_input": "optim_sgd_negative_hyperparameters",
    "adam_step:matches_oracle": "optim_adam_eps_before_bias_correction",
    "adam_step:trajectory_matches_oracle": "optim_adam_eps_before_bias_correction",
    "adam_step:first_step_moves_lr_times_sign": "optim_adam_eps_before_bias_correction",
    "adam_step:invariant_to_gradient_scale": "optim_adam_eps_before_bias_correction",
    "adam_step:rejects_bad_input": "optim_adam_negative_hyperparameters",
    "adamw_step:matches_oracle": "optim_adamw_coupled_decay",
    "adamw_step:trajectory_matches_oracle": "optim_adamw_coupled_decay",
    "adamw_step:first_step_moves_lr_times_sign": "optim_adamw_coupled_decay",
    "adamw_step:invariant_to_gradient_scale": "optim_adamw_coupled_decay",
    "adamw_step:rejects_bad_input": "optim_adam_negative_hyperparameters",
    "adamw_step:zero_gradient_is_pure_decay": "optim_adamw_coupled_decay",
    "adamw_step:weight_decay_zero_equals_adam": "optim_adamw_zero_decay_uses_default",
    # params
    "count_parameters:matches_oracle": "params_kv_heads_ignored",
    "count_parameters:equals_init_element_count": "params_kv_heads_ignored",
    "count_parameters:matches_closed_form": "params_kv_heads_ignored",
    "count_parameters:rejects_bad_input": "params_kv_heads_ignored",
    "init_transformer_params:rejects_bad_input": "params_init_head_dim_floored",
    "init_transformer_params:matches_oracle": "params_init_kv_heads_ignored",
    "init_transformer_params:shapes_match_config": "params_init_kv_heads_ignored",
    "init_transformer_params:deterministic_in_seed": "params_init_seed_ignored",
    "training_memory_bytes:follows_zero_accounting": "params_master_copy_forgotten",
    "training_memory_bytes:matches_oracle": "params_master_copy_forgotten",
    "training_memory_bytes:rejects_bad_input": "params_master_copy_forgotten",
    # positional
    "rope:matches_oracle": "positional_interleaved_ignored",
    "rope:preserves_pair_norms": "positional_interleaved_ignored",
    "rope:identity_at_position_zero": "positional_rope_positions_one_based",
    "rope:composes_additively": "positional_rope_angles_in_float16",
    "rope:inner_product_is_relative": "positional_rope_angles_in_float16",
    "rope:layouts_agree_up_to_permutation": "positional_interleaved_ignored",
    "rope:vjp_matches_finite_differences": "autodiff_vjp_ignores_cotangent",
    "rope:rejects_bad_input": "positional_rope_odd_dim_passthrough",
    "sinusoidal_positions:matches_oracle": "positional_freq_per_dimension",
    "sinusoidal_positions:bounded_on_unit_circle": "positional_freq_per_dimension",
    "sinusoidal_positions:dot_depends_only_on_offset": "positional_freq_per_dimension",
    "sinusoidal_positions:shift_is_fixed_rotation": "positional_freq_per_dimension",
    "sinusoidal_positions:rejects_bad_input": "positional_sinusoidal_odd_dim_truncated",
    "t5_relative_position_bucket:matches_oracle": "positional_t5_max_distance_ignored",
    "t5_relative_position_bucket:in_range": "positional_t5_no_clamp",
    "t5_relative_position_bucket:exact_for_small_distances": "positional_t5_unidirectional_inverted",
    "t5_relative_position_bucket:monotone_in_distance": "positional_t5_log_bucket_without_offset",
    "t5_relative_position_bucket:sign_separated": "positional_t5_no_clamp",
    "t5_relative_position_bucket:future_in_bucket_zero": "positional_t5_unidirectional_inverted",
    "t5_relative_position_bucket:max_distance_honoured": "positional_t5_max_distance_ignored",
    "t5_relative_position_bucket:rejects_bad_input": "positional_t5_float_distances_truncated",
    "relative_position_bias:matches_oracle": "positional_bias_not_shifted",
    "relative_position_bias:depends_on_key_minus_query": "positional_bias_not_shifted",
    "relative_position_bias:rejects_bad_input": "positional_q_len_above_k_len",
    "alibi_bias:matches_oracle": "positional_alibi_pow2_formula_everywhere",
    "alibi_bias:slopes_geometric_for_powers_of_two": "positional_alibi_slope_off_by_one",
    "alibi_bias:slopes_follow_paper_rule": "positional_alibi_pow2_formula_everywhere",
    "alibi_bias:rows_decrease_away_from_diagonal": "positional_alibi_top_left",
    "alibi_bias:depends_on_key_minus_query": "positional_alibi_top_left",
    "alibi_bias:rejects_bad_input": "positional_q_len_above_k_len",
    # regularization
    "dropout:eval_is_identity": "dropout_scaled_in_eval",
    "dropout:outputs_are_zero_or_scaled_input": "dropout_keep_drop_swapped",
    "dropout:kept_fraction_mean_and_row_independence": "dropout_keep_drop_swapped",
    "dropout:deterministic_per_seed_independent_across_seeds": "dropout_constant_mask",
    "dropout:rejects_bad_input": "dropout_p_clipped",
}

DECLARED = declared_catches()
for _key, _stem, _ in DECLARED:
    TEETH.setdefault(_key, _stem)

#: property key -> why no NumPy plug-in mutant can exercise it (keep this short and honest)
EXEMPT: dict[str, str] = {}


@functools.lru_cache(maxsize=None)
def _mutant(stem: str):
    path = MUTANTS / f"{stem}.py"
    return make_impl(import_target(str(path)), str(path))


@functools.lru_cache(maxsize=None)
def _properties() -> dict:
    return {p.key: p for p in import_property_modules()}


def assert_catches(key: str, stem: str, dtype: str | None = None) -> None:
    """Property ``key`` *fails* on mutant ``stem`` in ``dtype`` (default: the first both support)."""
    prop = _properties().get(key)
    assert prop is not None, f"{key} is not a registered property (named for mutant {stem})"
    impl = _mutant(stem)
    dtypes = [d for d in prop.dtypes if d in impl.dtypes or d == NO_DTYPE]
    assert dtypes, f"mutant {stem} supports none of {key}'s dtypes {prop.dtypes}"
    if dtype is not None:
        assert dtype in dtypes, f"{stem} declares {key}@{dtype}, outside the dtypes both support {dtypes}"
    dtype = dtype or dtypes[0]
    record = run_check(Check(impl, prop, dtype), base_settings=settings.get_profile("mutants"))
    assert record["status"] == "failed", (
        f"{key} did not catch {stem} ({dtype}) by failing: {record['status']} {record['message']}")


_PAIRS = sorted({(key, stem, None) for key, stem in TEETH.items()} | set(DECLARED), key=str)


@pytest.mark.parametrize("key,stem,dtype", _PAIRS, ids=[f"{k}-{s}" + (f"@{d}" if d else "") for k, s, d in _PAIRS])
def test_property_catches_its_mutant(key, stem, dtype):
    assert_catches(key, stem, dtype)


def test_every_property_has_teeth():
    registered = set(_properties())
    missing = sorted(registered - set(TEETH) - set(EXEMPT))
    assert not missing, ("properties with no mutant that they catch (add one to tests/mutants/ and to TEETH, "
                         f"or a reason to EXEMPT): {missing}")
    assert not set(TEETH) & set(EXEMPT), sorted(set(TEETH) & set(EXEMPT))
    stale = sorted((set(TEETH) | set(EXEMPT)) - registered)
    assert not stale, f"TEETH/EXEMPT name properties that are not registered: {stale}"
    absent = sorted({stem for stem in TEETH.values() if not (MUTANTS / f"{stem}.py").exists()})
    assert not absent, f"TEETH names mutants that do not exist: {absent}"
