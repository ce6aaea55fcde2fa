"""Figures of the positional-encoding family (docs/contract.md 3.7), drawn from the float64 oracle (``properties.oracle``).

Imported by :mod:`reports.html`; each function registered with ``@figure("positional")`` returns
``(title, caption, svg)``.
"""
from __future__ import annotations

import numpy as np

from properties.oracle import expected
from reports.figures import figure, new_figure, to_svg


@figure("positional")
def sinusoidal_table():
    positions, dim = 64, 64
    pe = expected("sinusoidal_positions", positions, dim)
    fig, ax = new_figure(6.0, 3.6)
    image = ax.imshow(pe, aspect="auto", cmap="RdBu_r", vmin=-1.0, vmax=1.0, interpolation="nearest")
    ax.set_xlabel("dimension (even: sin, odd: cos)")
    ax.set_ylabel("position k")
    fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    caption = (f"The sinusoidal table pe[k, 2i] = sin(k w_i), pe[k, 2i+1] = cos(k w_i), w_i = 10000^(-2i/{dim}), "
               f"for {positions} positions and {dim} dimensions. The frequencies fall geometrically from left to "
               "right: the first pairs oscillate every few positions, the last ones barely move over 64 positions "
               "(sin stays near 0, white, and cos near 1, dark red: the stripes on the right). Each row is a unique "
               "code, and moving down by delta rotates every (sin, cos) pair by the fixed angle delta w_i, which "
               "is why pe[k] . pe[k + delta] depends only on delta.")
    return "Sinusoidal position table", caption, to_svg(fig)


@figure("positional")
def sinusoidal_at_the_notes_dimensions():
    positions = 100
    fig, axes = new_figure(7.5, 2.8, ncols=3)
    for ax, dim in zip(axes, (2, 32, 64)):
        pe = expected("sinusoidal_positions", positions, dim)
        ax.imshow(pe, aspect="auto", cmap="RdBu_r", vmin=-1.0, vmax=1.0, interpolation="nearest")
        ax.set_title(f"d = {dim}", fontsize=8)
        ax.set_xlabel("dimension")
    axes[0].set_ylabel("position k")
    caption = ("The seed notes plotted the sinusoidal table at d = 2, 32 and 64 and saw it turn into 0/1 stripes "
               "as d grows. Redrawn from the oracle: at d = 2 the one pair oscillates with period 2 pi; at larger d "
               "the frequencies 10000^(-2i/d) of the right-hand pairs are so low that over 100 positions their "
               "angles stay small, so sin stays near 0 (white) and cos near 1 (dark red). That is the design (a "
               "geometric range of wavelengths), not a defect; the properties check that pe[k] . pe[k + delta] "
               "depends only on delta at every d.")
    return "Sinusoidal tables at the notes' dimensions (2, 32, 64)", caption, to_svg(fig)


@figure("positional")
def rope_relative_inner_product():
    def rope(x, positions):
        return expected("rope", x, positions)

    dim, rng = 64, np.random.default_rng(0)
    q, k = rng.standard_normal(dim), rng.standard_normal(dim)
    deltas = np.arange(-48, 49)
    copies = 6  # pairs (m, n) per offset, spread over positions up to ~4000
    m = rng.integers(48, 4000, (deltas.size, copies))
    n = m - deltas[:, None]
    mf, nf = m.reshape(-1), n.reshape(-1)
    rq = rope(np.broadcast_to(q, (mf.size, dim)).copy(), mf)
    rk = rope(np.broadcast_to(k, (nf.size, dim)).copy(), nf)
    dots = np.sum(rq * rk, axis=-1).reshape(m.shape)
    spread = float(np.max(dots.max(axis=1) - dots.min(axis=1)))
    reference = np.sum(rope(np.broadcast_to(q, (deltas.size, dim)).copy(), deltas - deltas.min())
                       * rope(np.broadcast_to(k, (deltas.size, dim)).copy(), np.full(deltas.size, -deltas.min())),
                       axis=-1)
    fig, ax = new_figure(6.0, 3.0)
    ax.plot(deltas, reference, color="0.75", linewidth=1, zorder=1, label="<rope(q, delta + c), rope(k, c)>")
    for j in range(copies):
        ax.scatter(deltas, dots[:, j], s=6, zorder=2, label="pairs (m, n), m up to 4000" if j == 0 else None)
    ax.set_xlabel("m - n")
    ax.set_ylabel("<rope(q, m), rope(k, n)>")
    ax.legend(fontsize=7, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, frameon=False)
    caption = (f"Inner products of one query q and one key k (D = {dim}, half-split RoPE, base 10000) rotated to "
               f"positions m and n, for {copies} random pairs per offset m - n in [-48, 48] with m up to 4000, "
               "against m - n. All points with the same m - n coincide (largest spread within one offset: "
               f"{spread:.1e}), and fall on the curve computed at small positions: the score depends only on the "
               "relative position, which is what makes RoPE a relative encoding.")
    return "RoPE scores depend only on m - n", caption, to_svg(fig)
