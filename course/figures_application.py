"""Deterministic figures for the ``cnn_application`` lesson (fast layers and the digit classifier).

Drawn like ``course.figures`` (whose style and helpers this module uses): matplotlib's Agg on private ``Figure``
objects under a fixed style, PNGs saved without metadata, no randomness. With the same package versions two runs
give byte-identical files. Regenerate them with::

    python -m course.figures_application            # writes into source/cnn_application/images/
    python -m course.figures_application --out DIR  # writes somewhere else

- ``model_digits.png``      the CONV-POOL-CONV-POOL-FC model on 8x8x1 digits, with every shape
- ``vectorising.png``       a convolution as windows (a strided view, no copy) and as im2col: one matrix product
- ``backward_scatter.png``  the backward pass: each window's gradient added back where the window came from
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from matplotlib.patches import Rectangle

from course import figures
from course.figures import (
    EDGE,
    HL_FACE,
    MONO,
    MUTED,
    OUT_EDGE,
    OUT_FACE,
    WINDOWS,
    _arrow,
    _canvas,
    _frame,
    _grid,
    _num,
    _save_png,
    _style,
    _volume,
)

#: Default output folder: the images nbgrader ships with the assignment.
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "source" / "cnn_application" / "images"

COLORS = {
    "input": ("#e5e7eb", "#4b5563"),
    "conv": ("#bfdbfe", "#1d4ed8"),
    "pool": ("#fde68a", "#b45309"),
    "fc": ("#bbf7d0", "#15803d"),
    "flat": ("#e9d5ff", "#7e22ce"),
}


def _window_grids(ax, bx, top, windows, texts):
    """One small f x f grid per window ``(h, w)``, two by two from ``(bx, top)``, in the window's colour, with
    ``texts[k]`` (rows of strings) in its cells and ``(h=.., w=..)`` above it."""
    for k, ((h, w), rows) in enumerate(zip(windows, texts)):
        f = len(rows)
        gx, gy = bx + w * 3.7, top + 1.4 - h * 4.2
        faces = [[WINDOWS[k][0]] * f for _ in range(f)]
        _grid(ax, f, f, gx, gy, faces=faces, texts=rows, size=10, edge=WINDOWS[k][1], lw=0.8)
        ax.text(gx + 1.5, gy + 0.25, f"(h={h}, w={w})", ha="center", va="bottom", fontsize=8.5, family=MONO)


# ---------------------------------------------------------------------------------
# 1. The model on 8x8x1 digits
# ---------------------------------------------------------------------------------
def draw_model_digits(path: Path) -> Path:
    """CONV -> ReLU -> POOL -> CONV -> ReLU -> POOL -> FC -> softmax on (8, 8, 1), with shapes and parameters."""
    side = {8: 3.2, 4: 1.7, 2: 0.9}
    depth = lambda c: 0.3 + 0.09 * c  # noqa: E731
    volumes = [  # (kind, H, C, shape, name)
        ("input", 8, 1, "8×8×1", "X"),
        ("conv", 8, 8, "8×8×8", "A1"),
        ("pool", 4, 8, "4×4×8", "P1"),
        ("conv", 4, 16, "4×4×16", "A2"),
        ("pool", 2, 16, "2×2×16", "P2"),
    ]
    ops = [
        ("conv", "CONV 3×3, 8 filters\npad 1, stride 1\n+ ReLU", "W1 (3, 3, 1, 8)\nb1 (1, 1, 1, 8)"),
        ("pool", "MAX POOL\nf 2, stride 2", ""),
        ("conv", "CONV 3×3, 16 filters\npad 1, stride 1\n+ ReLU", "W2 (3, 3, 8, 16)\nb2 (1, 1, 1, 16)"),
        ("pool", "MAX POOL\nf 2, stride 2", ""),
        ("flat", "FLATTEN", ""),
        ("fc", "FC\n64 → 10", "W3 (64, 10)\nb3 (1, 10)"),
        ("fc", "softmax", ""),
    ]
    gap = 3.3
    with _style():
        fig, ax = _canvas(13.6, 4.3, (-0.6, 45.4), (-6.3, 7.9))
        ax.text(
            22.4,
            7.25,
            "The digit classifier: CONV → POOL → CONV → POOL → FC → softmax, on 8×8 grey images",
            ha="center",
            va="center",
            fontsize=14,
            fontweight="bold",
        )
        x, spans = 0.0, []
        for kind, H, C, _, _ in volumes:
            face, edge = COLORS[kind]
            right = _volume(ax, x, side[H], depth(C), face, edge)
            spans.append((x, right))
            x = right + gap
        face, edge = COLORS["flat"]  # the 64 numbers of the flattened volume
        col_h, k = 3.6, 16
        for i in range(k):
            ax.add_patch(
                Rectangle((x, -col_h / 2 + i * col_h / k), 0.45, col_h / k, facecolor=face, edgecolor=edge, lw=0.8)
            )
        spans.append((x, x + 0.45))
        x += 0.45 + gap
        face, edge = COLORS["fc"]  # the 10 logits
        for i in range(10):
            ax.add_patch(Rectangle((x, -2.0 + i * 0.4), 0.45, 0.4, facecolor=face, edgecolor=edge, lw=0.9, zorder=2))
        spans.append((x, x + 0.45))
        x += 0.45 + gap
        probs = [0.01, 0.02, 0.01, 0.80, 0.01, 0.05, 0.01, 0.02, 0.05, 0.02]  # an example of probabilities
        for i, p in enumerate(probs):
            ax.add_patch(
                Rectangle(
                    (x, -2.0 + i * 0.4 + 0.04), 2.2 * p / 0.8, 0.32, facecolor=face, edgecolor=edge, lw=0.9, zorder=2
                )
            )
        spans.append((x, x + 2.2))
        for i, (kind, label, params) in enumerate(ops):
            a, b = spans[i][1] + 0.25, spans[i + 1][0] - 0.25
            _arrow(ax, (a, 0.0), (b, 0.0), lw=1.8, ms=16)
            color = COLORS[kind][1]
            ax.text((a + b) / 2, 2.9, label, ha="center", va="bottom", fontsize=9.5, color=color, fontweight="bold")
            if params:
                ax.text((a + b) / 2, -2.55, params, ha="center", va="top", fontsize=8.5, color=color, family=MONO)
        shapes = [v[3] for v in volumes] + ["64", "10 logits", "10 class\nprobabilities"]
        names = [v[4] for v in volumes] + ["", "", ""]
        for (left, right), text, name in zip(spans, shapes, names):
            label = f"{name}  {text}" if name else text
            ax.text((left + right) / 2, -5.15, label, ha="center", va="center", fontsize=10, family=MONO)
        ax.text(
            22.4,
            -6.05,
            "m images at once: every shape above gets a leading m (a batch (m, 8, 8, 1) gives logits (m, 10)); "
            "1898 parameters in all",
            ha="center",
            va="center",
            fontsize=10,
            color=MUTED,
        )
        return _save_png(fig, path)


# ---------------------------------------------------------------------------------
# 2. Vectorising a convolution: windows as a view, im2col as one matrix product
# ---------------------------------------------------------------------------------
VEC_A = np.array([[1, 0, 2, 3], [0, 1, 3, 2], [2, 1, 0, 1], [1, 3, 1, 0]])  # one channel, 4 x 4
VEC_W = np.array([[[1, 0, -1], [1, 0, -1], [1, 0, -1]], [[0, 1, 0], [1, -2, 1], [0, 1, 0]]])  # two 3 x 3 filters


def draw_vectorising(path: Path) -> Path:
    """A 4x4 input, f = 3, stride 1: its four windows (a view), im2col's 4 x 9 matrix, times W (9 x 2) = Z."""
    f, n = 3, VEC_A.shape[0]
    n_out = n - f + 1
    windows = [(h, w) for h in range(n_out) for w in range(n_out)]
    rows = np.array([VEC_A[h : h + f, w : w + f].ravel() for h, w in windows])  # (4, 9)
    W_mat = VEC_W.reshape(2, -1).T  # (9, 2)
    Z = rows @ W_mat  # (4, 2)
    with _style():
        fig, ax = _canvas(12.6, 5.4, (-1.6, 35.8), (-5.8, 10.0))
        ax.text(
            17.1,
            9.3,
            "Vectorising a convolution: all windows at once, then one product with the filters",
            ha="center",
            va="center",
            fontsize=14,
            fontweight="bold",
        )
        # (a) the input with its four windows
        top = 4.6
        _grid(ax, n, n, 0.0, top, texts=[[str(v) for v in row] for row in VEC_A], size=13)
        for k, (h, w) in enumerate(windows):
            inset = 0.08 * (k + 1)
            _frame(ax, w + inset, top - h - f + inset, f - 2 * inset, f - 2 * inset, WINDOWS[k][1], lw=2.4, z=6)
        ax.text(2.0, top + 0.9, "A_pad[i, :, :, 0]\n(4 × 4, one channel)", ha="center", va="center", fontsize=10)
        ax.text(
            2.0, top - n - 0.5, "f = 3, stride 1:\n2 × 2 = 4 windows", ha="center", va="top", fontsize=10, color=MUTED
        )
        # (b) the windows as a view: (n_H, n_W, f, f), no copy
        bx = 6.6
        _arrow(ax, (4.5, 2.6), (bx - 0.3, 2.6), lw=1.8, ms=15)
        _window_grids(
            ax, bx, top, windows, [[[str(v) for v in row] for row in VEC_A[h : h + f, w : w + f]] for h, w in windows]
        )
        ax.text(
            bx + 3.35,
            top - 7.4,
            "sliding_window_view(A_pad, (f, f), axis=(1, 2))[:, ::s, ::s]\nshape (m, n_H, n_W, n_C, f, f): a view, "
            "the same memory read with new strides",
            ha="center",
            va="top",
            fontsize=8.5,
            family=MONO,
            linespacing=1.35,
        )
        # (c) im2col: one row per window
        cx, ctop = 15.6, 4.6
        _arrow(ax, (13.8, 2.6), (cx - 0.3, 2.6), lw=1.8, ms=15)
        faces = [[WINDOWS[k][0]] * (f * f) for k in range(len(windows))]
        _grid(ax, len(windows), f * f, cx, ctop, faces=faces, texts=[[str(v) for v in r] for r in rows], size=10)
        ax.text(cx + 4.5, ctop + 0.7, "im2col: one row per window", ha="center", va="center", fontsize=10.5)
        ax.text(cx + 4.5, ctop - 4.6, "(m·n_H·n_W, f·f·n_C) = (4, 9)", ha="center", va="top", fontsize=9.5, family=MONO)
        # (d) times the filters as columns
        dx = cx + 9.9
        ax.text(dx, ctop - 2.0, "×", ha="center", va="center", fontsize=22)
        wx, wtop = dx + 0.8, ctop + 2.5
        _grid(
            ax,
            f * f,
            2,
            wx,
            wtop,
            faces=[[HL_FACE, "#d9f99d"] for _ in range(f * f)],
            texts=[[_num(v) for v in r] for r in W_mat],
            size=10,
        )
        ax.text(wx + 1.0, wtop + 0.7, "W as (f·f·n_C, n_C)", ha="center", va="center", fontsize=10.5)
        ax.text(wx + 1.0, wtop - f * f - 0.35, "(9, 2)", ha="center", va="top", fontsize=9.5, family=MONO)
        # (e) = Z
        ex = wx + 3.0
        ax.text(ex, ctop - 2.0, "=", ha="center", va="center", fontsize=22)
        zx = ex + 0.8
        _grid(
            ax,
            len(windows),
            2,
            zx,
            ctop,
            faces=[[OUT_FACE] * 2 for _ in windows],
            texts=[[_num(v) for v in r] for r in Z],
            size=11,
            edge=OUT_EDGE,
        )
        ax.text(zx + 1.0, ctop + 0.7, "Z", ha="center", va="center", fontsize=12, fontweight="bold")
        ax.text(
            zx + 1.0,
            ctop - 4.6,
            "(4, 2), then\nreshape to\n(m, n_H, n_W, n_C)",
            ha="center",
            va="top",
            fontsize=9.5,
            family=MONO,
        )
        ax.text(
            17.1,
            -5.0,
            "Either way one call does the arithmetic: np.tensordot or np.einsum on the view, "
            "or a matrix product on im2col's copy; + b at the end",
            ha="center",
            va="center",
            fontsize=10.5,
            color=MUTED,
        )
        return _save_png(fig, path)


# ---------------------------------------------------------------------------------
# 3. The backward pass: windows' gradients added back (col2im)
# ---------------------------------------------------------------------------------
def draw_backward_scatter(path: Path) -> Path:
    """dZ (2 x 2) times the filter gives four 3 x 3 window gradients, added back into dA (4 x 4) where they overlap."""
    f, n = 3, 4
    n_out = n - f + 1
    W = VEC_W[0]
    dZ = np.array([[1, 2], [-1, 1]])
    windows = [(h, w) for h in range(n_out) for w in range(n_out)]
    dA = np.zeros((n, n), dtype=int)
    cover = np.zeros((n, n), dtype=int)
    for h, w in windows:
        dA[h : h + f, w : w + f] += dZ[h, w] * W
        cover[h : h + f, w : w + f] += 1
    with _style():
        fig, ax = _canvas(12.6, 5.4, (-1.6, 35.8), (-5.8, 10.0))
        ax.text(
            17.1,
            9.3,
            "The backward pass is the transpose: each window's gradient goes back where the window came from",
            ha="center",
            va="center",
            fontsize=13,
            fontweight="bold",
        )
        top = 4.6
        # dZ, one colour per output position
        faces = [[WINDOWS[h * n_out + w][0] for w in range(n_out)] for h in range(n_out)]
        _grid(ax, n_out, n_out, 0.0, top - 1.0, faces=faces, texts=[[_num(v) for v in r] for r in dZ], size=13)
        ax.text(1.0, top - 0.3, "dZ (2 × 2)", ha="center", va="center", fontsize=10.5, family=MONO)
        _arrow(ax, (2.5, 2.6), (5.6, 2.6), lw=1.8, ms=15)
        ax.text(4.05, 3.0, "× W", ha="center", va="bottom", fontsize=11, family=MONO)
        # the four windows' gradients: dZ[h, w] * W
        bx = 6.0
        _window_grids(ax, bx, top, windows, [[[_num(v) for v in row] for row in dZ[h, w] * W] for h, w in windows])
        ax.text(
            bx + 3.35,
            top - 7.4,
            "dwin (m, n_H, n_W, f, f, n_C_prev):\none contraction of dZ with W",
            ha="center",
            va="top",
            fontsize=8.5,
            family=MONO,
            linespacing=1.35,
        )
        # added back into dA_pad
        cx = 17.0
        _arrow(ax, (13.6, 2.6), (cx - 0.3, 2.6), lw=1.8, ms=15)
        ax.text(15.15, 3.0, "+=", ha="center", va="bottom", fontsize=11, family=MONO)
        _grid(ax, n, n, cx, top, texts=[[_num(v) for v in r] for r in dA], size=13)
        ax.text(cx + 2.0, top + 0.6, "dA_pad (4 × 4)", ha="center", va="center", fontsize=10.5, family=MONO)
        # how many windows cover each cell
        dx = 23.4
        tint = {1: "#f8fafc", 2: "#e0e7ff", 4: "#a5b4fc"}
        faces = [[tint[int(v)] for v in r] for r in cover]
        _grid(ax, n, n, dx, top, faces=faces, texts=[[str(v) for v in r] for r in cover], size=13)
        ax.text(dx + 2.0, top + 0.6, "windows per cell", ha="center", va="center", fontsize=10.5)
        ax.text(
            30.0,
            2.6,
            "where windows overlap\n(stride < f), their\ngradients add up",
            ha="left",
            va="center",
            fontsize=9.5,
            color=MUTED,
        )
        # the loop that adds them back: one offset inside the window at a time
        code = (
            "dA_pad = np.zeros(A_pad.shape)\n"
            "for a in range(f):          # row inside the window\n"
            "    for d in range(f):      # column inside the window\n"
            "        dA_pad[:, a:a + s*n_H:s, d:d + s*n_W:s, :] += dwin[:, :, :, a, d, :]"
        )
        ax.add_patch(Rectangle((16.6, -2.6), 18.9, 2.5, facecolor="#f3f4f6", edgecolor=EDGE, lw=0.8, zorder=1))
        ax.text(16.9, -0.35, code, ha="left", va="top", fontsize=8.2, family=MONO, linespacing=1.5, zorder=3)
        ax.text(
            26.05,
            -2.9,
            "f · f vectorised additions; within one offset no two windows touch the same cell",
            ha="center",
            va="top",
            fontsize=9,
            color=MUTED,
        )
        ax.text(
            17.1,
            -5.2,
            "dW is the forward contraction transposed: the windows of A_pad with dZ, summed over examples and "
            "positions; db is dZ summed the same way",
            ha="center",
            va="center",
            fontsize=10,
            color=MUTED,
        )
        return _save_png(fig, path)


FIGURES: dict[str, Callable[[Path], Path]] = {
    "model_digits.png": draw_model_digits,
    "vectorising.png": draw_vectorising,
    "backward_scatter.png": draw_backward_scatter,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: draw all figures into --out (default: the assignment's images folder)."""
    return figures.command_line(argv, FIGURES, DEFAULT_OUT, "python -m course.figures_application", __doc__)


if __name__ == "__main__":
    sys.exit(main())
