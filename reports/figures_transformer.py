"""Figures of the assembled transformer (docs/contract.md 3.10), drawn from the float64 oracle
(``properties.oracle``).

Imported by :mod:`reports.html`; each function registered with ``@figure("transformer")`` returns
``(title, caption, svg)``.
"""
from __future__ import annotations

import numpy as np

from properties.oracle import expected
from reports.figures import figure, new_figure, to_svg

CONFIG = {"vocab_size": 16, "d_model": 8, "n_layers": 2, "n_heads": 2, "n_kv_heads": 1, "d_ff": 32,
          "max_positions": 16, "norm": "layernorm", "ffn": "gelu", "positional": "learned", "bias": True,
          "tie_embeddings": False}


@figure("transformer")
def decoder_dependencies():
    length = 8
    params = expected("init_transformer_params", CONFIG, seed=0)
    ids = np.arange(1, length + 1, dtype=np.int64).reshape(1, length) % CONFIG["vocab_size"]
    base = expected("decoder_forward", ids, params, CONFIG)[0]
    reach = np.zeros((length, length))
    for j in range(length):  # change input token j; which output positions move?
        changed = ids.copy()
        changed[0, j] = (changed[0, j] + 5) % CONFIG["vocab_size"]
        moved = np.abs(expected("decoder_forward", changed, params, CONFIG)[0] - base).max(axis=-1)
        reach[:, j] = moved
    fig, ax = new_figure(3.6, 3.2)
    image = ax.imshow(np.log10(reach + 1e-300).clip(-20), cmap="viridis", interpolation="nearest")
    ax.set_xlabel("input token changed (j)")
    ax.set_ylabel("output position (i)")
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="log10 max |change of logits|")
    caption = ("The decoder's dependency pattern: the largest change of the logits at position i when input token "
               "j changes, for a 2-layer GQA decoder (learned positions). Everything above the diagonal is exactly "
               "0 (shown at the floor): no output depends on a later token, however many layers deep, which is "
               "what decoder_forward:causal_ignores_the_future checks for every implementation.")
    return "Decoder: output i depends only on tokens j <= i", caption, to_svg(fig)
