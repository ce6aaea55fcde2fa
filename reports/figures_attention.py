"""Figures of the attention family (docs/contract.md 3.6), drawn from the float64 oracle (``properties.oracle``).

Imported by :mod:`reports.html`; each function registered with ``@figure("attention")`` returns
``(title, caption, svg)``.
"""
from __future__ import annotations

import numpy as np

from properties.oracle import expected
from reports.figures import figure, new_figure, to_svg


@figure("attention")
def attention_masks():
    def attention_weights(q, k, **options):
        return expected("attention_weights", q, k, **options)

    rng = np.random.default_rng(0)
    q_len, k_len, head_dim, pad = 4, 7, 8, 2
    q = rng.standard_normal((1, 1, q_len, head_dim))
    k = rng.standard_normal((1, 1, k_len, head_dim))
    padding = (np.arange(k_len) < k_len - pad).reshape(1, 1, 1, k_len)   # the last `pad` keys are padding
    panels = (("padding mask (last 2 keys)", attention_weights(q, k, mask=padding)),
              ("causal, bottom-right (Lq=4 < Lk=7)", attention_weights(q, k, is_causal=True)),
              ("padding AND causal", attention_weights(q, k, mask=padding, is_causal=True)))
    fig, axes = new_figure(8.4, 2.9)
    fig.delaxes(axes)
    *axs, cax = fig.subplots(1, 4, gridspec_kw={"width_ratios": (1, 1, 1, 0.06)})
    image = None
    for ax, (title, p) in zip(axs, panels):
        p = p[0, 0]
        image = ax.imshow(p, cmap="viridis", vmin=0.0, vmax=1.0, interpolation="nearest")
        blocked = np.argwhere(p == 0.0)
        ax.scatter(blocked[:, 1], blocked[:, 0], marker="x", s=22, color="white", linewidths=0.8)
        ax.set_title(title, fontsize=8)
        ax.set_xticks(range(k_len))
        ax.set_yticks(range(q_len))
        ax.set_xlabel("key j")
    axs[0].set_ylabel("query i")
    for ax in axs[1:]:
        ax.set_yticklabels([])
    fig.colorbar(image, cax=cax, label="probability")
    caption = ("Attention probabilities of one head (Lq = 4 queries, Lk = 7 keys, D = 8, unit-normal q and k, "
               "default scale 1/sqrt(D)); white crosses are exact zeros. Left: a padding mask (True = may attend) "
               "removes the last two keys from every row. Middle: the causal mask is bottom-right aligned, query "
               "i sees key j iff j <= i + (Lk - Lq), so the last query sees every key, as a query appended to a "
               "KV cache of 3 earlier tokens must (a top-left tril would hide keys 4..6 from it). Right: both "
               "masks combine with AND. Every row sums to 1 over the keys it may attend; a row with none would be "
               "all 0, never NaN or uniform.")
    return "Attention under padding and causal masks", caption, to_svg(fig)

