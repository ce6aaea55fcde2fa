"""The component catalogue of SPEC section 3: each component's family and formula, shown in the report."""

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
