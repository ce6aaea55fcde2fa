"""The component catalogue of docs/contract.md section 3: each component's family and formula, shown in the report."""
import functools
import inspect


FAMILIES = {
    "norms": "Normalization", "activations": "Activations", "losses": "Losses", "optim": "Optimizers",
    "regularization": "Regularisation", "attention": "Attention", "positional": "Positional encodings",
    "bert": "BERT", "params": "Parameters and training state", "transformer": "The assembled transformer",
    "bad_input": "Bad input",
}

COMPONENTS = {
    "batch_norm": ("norms", "y = (x - mean_b) / sqrt(var_b + eps) * w + b over every axis but 1; "
                   "running <- (1 - momentum) * running + momentum * stat (unbiased variance)"),
    "layer_norm": ("norms", "y = (x - mean) / sqrt(var + eps) * w + b over the last normalized_ndim axes"),
    "instance_norm": ("norms", "y = (x - mean) / sqrt(var + eps) * w_c + b_c per (n, c) over spatial axes"),
    "group_norm": ("norms", "y = (x - mean) / sqrt(var + eps) * w_c + b_c per (n, group of C/G channels)"),
    "rms_norm": ("norms", "y = x / sqrt(mean(x^2) + eps) * w over the last normalized_ndim axes"),
    "relu": ("activations", "max(x, 0)"),
    "sigmoid": ("activations", "1 / (1 + exp(-x))"),
    "tanh": ("activations", "(e^x - e^-x) / (e^x + e^-x)"),
    "silu": ("activations", "x * sigmoid(x)"),
    "gelu": ("activations", "x * Phi(x) = x/2 (1 + erf(x/sqrt 2)); approximate: "
             "x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))"),
    "softmax": ("activations", "exp(x_i - max x) / sum_j exp(x_j - max x)"),
    "log_softmax": ("activations", "x_i - max x - log sum_j exp(x_j - max x)"),
    "cross_entropy": ("losses", "(1 - ls) (lse(z) - z_t) + ls * mean_c (lse(z) - z_c), mean over non-ignored rows"),
    "binary_cross_entropy_with_logits": ("losses", "max(x, 0) - x t + log(1 + exp(-|x|))"),
    "mse_loss": ("losses", "mean((pred - target)^2)"),
    "kl_divergence": ("losses", "sum p (log p - log q), p = exp(log_p)"),
    "sgd_step": ("optim", "g += wd p; b = mu b + (1 - damp) g; g = g + mu b (Nesterov) or b; p -= lr g"),
    "adam_step": ("optim", "g += wd p; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; "
                  "p -= lr / (1-b1^t) * m / (sqrt(v) / sqrt(1-b2^t) + eps)"),
    "adamw_step": ("optim", "p *= 1 - lr wd; then the Adam update without L2"),
    "dropout": ("regularization", "y = x * keep / (1 - p), keep ~ Bernoulli(1 - p)"),
    "attention_weights": ("attention", "softmax(q k^T * scale + mask) over allowed keys; all-masked rows -> 0"),
    "scaled_dot_product_attention": ("attention", "attention_weights(q, k) @ v"),
    "multi_head_attention": ("attention", "concat_h sdpa(x Wq_h, c Wk_(h // g), c Wv_(h // g)) Wo"),
    "mha_decode": ("attention", "causal attention of new tokens at P..P+T-1 over cache + new keys"),
    "feed_forward": ("attention", "act(x W1 + b1) W2 + b2; swiglu: (silu(x W1) * x W3) W2"),
    "sinusoidal_positions": ("positional", "pe[k, 2i] = sin(k / base^(2i/d)), pe[k, 2i+1] = cos(...)"),
    "rope": ("positional", "rotate pair i by angle pos * base^(-2i/D)"),
    "t5_relative_position_bucket": ("positional", "exact below num_buckets/2 (per sign), logarithmic to max_distance"),
    "relative_position_bias": ("positional", "bias[h, i, j] = table[bucket(j - (i + Lk - Lq)), h]"),
    "alibi_bias": ("positional", "-slope_h |i + (Lk - Lq) - j|, slope_h = 2^(-8(h+1)/H)"),
    "bert_embeddings": ("bert", "LayerNorm(word[ids] + position[0..L-1] + token_type[types])"),
    "mlm_mask": ("bert", "select 15% of non-special tokens; 80% [MASK], 10% random, 10% unchanged"),
    "init_transformer_params": ("params", "nested dict of arrays of a pre-norm decoder-only transformer"),
    "count_parameters": ("params", "analytic number of parameters of the config"),
    "training_memory_bytes": ("params", "params + grads + optimizer states (ZeRO: 16 bytes/param mixed Adam); "
                              "stage k partitions states, then grads, then params over num_devices"),
    "kv_cache_bytes": ("params", "2 * n_layers * n_kv_heads * head_dim * seq_len * batch * bytes_per_element"),
    "activation_memory_bytes": ("params", "n_layers * s b h (34 + 5 a s / h); selective 34 s b h; full 2 s b h"),
    "transformer_block": ("transformer", "pre: h = x + MHA(N(x)), y = h + FFN(N(h)); "
                          "post: h = N(x + MHA(x)), y = N(h + FFN(h))"),
    "decoder_forward": ("transformer", "lm_head(final_norm(blocks(tokens[ids] + positions)))"),
    "decoder_decode": ("transformer", "decoder_forward of new tokens at P..P+T-1 over a per-layer KV cache"),
}


def family_of(component: str) -> str:
    return COMPONENTS.get(component, ("other", ""))[0]


#: every component's signature, exactly as docs/contract.md section 3 gives it (names, order, defaults); the contract's
#: defaults are part of it, and ``defaults_are_the_catalogue_defaults`` checks each implementation against them
SIGNATURES = {
    "batch_norm": "(x, running_mean, running_var, weight=None, bias=None, *, training, momentum=0.1, eps=1e-5)",
    "layer_norm": "(x, normalized_ndim, weight=None, bias=None, *, eps=1e-5)",
    "instance_norm": "(x, weight=None, bias=None, *, eps=1e-5)",
    "group_norm": "(x, num_groups, weight=None, bias=None, *, eps=1e-5)",
    "rms_norm": "(x, normalized_ndim, weight=None, *, eps=1e-6)",
    "relu": "(x)",
    "sigmoid": "(x)",
    "tanh": "(x)",
    "silu": "(x)",
    "gelu": "(x, *, approximate=False)",
    "softmax": "(x, *, axis=-1)",
    "log_softmax": "(x, *, axis=-1)",
    "cross_entropy": "(logits, target, *, ignore_index=-100, label_smoothing=0.0, reduction='mean')",
    "binary_cross_entropy_with_logits": "(logits, target, *, reduction='mean')",
    "mse_loss": "(pred, target, *, reduction='mean')",
    "kl_divergence": "(log_p, log_q, *, axis=-1)",
    "sgd_step": "(param, grad, momentum_buffer, *, lr, momentum=0.0, dampening=0.0, nesterov=False, "
                "weight_decay=0.0)",
    "adam_step": "(param, grad, exp_avg, exp_avg_sq, step, *, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)",
    "adamw_step": "(param, grad, exp_avg, exp_avg_sq, step, *, lr, betas=(0.9, 0.999), eps=1e-8, "
                  "weight_decay=0.01)",
    "dropout": "(x, p, *, training, seed)",
    "attention_weights": "(q, k, *, mask=None, is_causal=False, scale=None, bias=None)",
    "scaled_dot_product_attention": "(q, k, v, *, mask=None, is_causal=False, scale=None, bias=None)",
    "multi_head_attention": "(x, context, params, *, num_heads, num_kv_heads=None, mask=None, is_causal=False, "
                            "rope_base=None, bias=None)",
    "mha_decode": "(x_new, cache, params, *, num_heads, num_kv_heads=None, rope_base=None, bias=None)",
    "feed_forward": "(x, params, *, activation='gelu')",
    "sinusoidal_positions": "(num_positions, dim, *, base=10000.0)",
    "rope": "(x, positions, *, base=10000.0, interleaved=False)",
    "t5_relative_position_bucket": "(relative_position, *, bidirectional=True, num_buckets=32, max_distance=128)",
    "relative_position_bias": "(q_len, k_len, table, *, bidirectional=True, max_distance=128)",
    "alibi_bias": "(num_heads, q_len, k_len)",
    "bert_embeddings": "(input_ids, token_type_ids, params, *, eps=1e-12)",
    "mlm_mask": "(input_ids, *, seed, vocab_size, mask_token_id, special_token_ids=(), mask_prob=0.15)",
    "init_transformer_params": "(config, *, seed)",
    "count_parameters": "(config)",
    "training_memory_bytes": "(num_params, *, optimizer='adam', mixed_precision=True, zero_stage=0, num_devices=1)",
    "kv_cache_bytes": "(config, *, batch_size, seq_len, bytes_per_element=2)",
    "activation_memory_bytes": "(config, *, batch_size, seq_len, recompute='none')",
    "transformer_block": "(x, params, *, num_heads, num_kv_heads=None, norm='layernorm', norm_position='pre', "
                         "ffn='gelu', mask=None, is_causal=False, rope_base=None, bias=None, eps=1e-5)",
    "decoder_forward": "(input_ids, params, config)",
    "decoder_decode": "(input_ids, cache, params, config)",
}


@functools.lru_cache(maxsize=None)
def signature(component: str) -> inspect.Signature:
    """The catalogue's signature of ``component`` as an :class:`inspect.Signature` (defaults as values)."""
    return inspect.signature(eval(f"lambda {SIGNATURES[component][1:-1]}: None"))  # our own literal table


@functools.lru_cache(maxsize=None)
def optional_parameters(component: str) -> dict:
    """``{name: default}`` of the parameters a caller may omit (one shared dict: do not modify)."""
    return {name: p.default for name, p in signature(component).parameters.items() if p.default is not p.empty}
