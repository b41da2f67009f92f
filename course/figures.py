"""Deterministic figures for the "CNN, step by step" lesson.

Every figure the notebook shows is drawn here with matplotlib (Agg) and Pillow, so the
images are ours, reproducible and reviewable as code.  Regenerate them with::

    python -m course.figures            # writes into source/cnn_step_by_step/images/
    python -m course.figures --out DIR  # writes somewhere else

Determinism: the module draws on private ``Figure`` objects (no pyplot state) under a
fixed style (matplotlib's defaults plus ``RC``: bundled DejaVu fonts only, a fixed
``svg.hashsalt``; the caller's matplotlibrc is ignored), saves PNGs without the
"Software" metadata key (matplotlib writes no date into PNGs), seeds its only random
numbers with ``np.random.default_rng(0)`` and builds the GIF with Pillow from frames
rendered to arrays, mapped onto one shared palette in NumPy, without optimisation.  With
the same package versions two runs give byte-identical files (``tests/test_figures.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib import colors as mcolors  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Circle, FancyArrowPatch, Polygon, Rectangle  # noqa: E402
from PIL import Image  # noqa: E402

#: Default output folder: the images nbgrader ships with the assignment.
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "source/cnn_step_by_step/images"

DPI = 100

#: rcParams every figure is drawn under (nothing depends on the user's matplotlibrc).
RC = {
    "font.family": "DejaVu Sans",
    "font.sans-serif": ["DejaVu Sans"],
    "font.monospace": ["DejaVu Sans Mono"],
    "mathtext.fontset": "dejavusans",
    "font.size": 11,
    "text.color": "#1f2933",
    "text.antialiased": True,
    "text.hinting": "default",
    "axes.unicode_minus": True,
    "svg.hashsalt": "cnn-step-by-step",
    "savefig.dpi": DPI,
    "figure.dpi": DPI,
    "savefig.facecolor": "white",
    "savefig.edgecolor": "white",
    "savefig.bbox": "standard",
    "path.simplify": True,
    "lines.antialiased": True,
    "patch.antialiased": True,
}

# ---------------------------------------------------------------------------------
# Palette (used consistently across the figures)
# ---------------------------------------------------------------------------------
INK = "#1f2933"  # text, arrows
MUTED = "#6b7280"  # secondary text, indices
EDGE = "#4b5563"  # cell borders
CELL = "#f8fafc"  # empty cell
ZERO = "#d1d5db"  # zeros added by padding
HL_FACE = "#fde68a"  # highlighted window (amber)
HL_EDGE = "#d97706"
OUT_FACE = "#dbeafe"  # output cells (blue)
OUT_EDGE = "#2563eb"
CHANNELS = {"R": "#dc2626", "G": "#16a34a", "B": "#2563eb"}
#: One (face, edge) pair per pooling window.
WINDOWS = [
    ("#bfdbfe", "#1d4ed8"),
    ("#fde68a", "#b45309"),
    ("#bbf7d0", "#15803d"),
    ("#fbcfe8", "#be185d"),
]
MONO = "DejaVu Sans Mono"


# ---------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------
@contextlib.contextmanager
def _style():
    """Temporarily use matplotlib's defaults plus RC, whatever the caller's rcParams are."""
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        matplotlib.rcParams.update(RC)
        yield


def _num(v: float, digits: int = 0) -> str:
    """Format a number with a typographic minus sign."""
    s = f"{v:.{digits}f}" if digits else f"{int(round(v))}"
    return s.replace("-", "\u2212")


def _canvas(width: float, height: float, xlim, ylim) -> tuple[Figure, object]:
    """A figure with one borderless, equal-aspect axes spanning it."""
    fig = Figure(figsize=(width, height), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return fig, ax


def _save_png(fig: Figure, path: Path) -> Path:
    """Save a figure as a metadata-free PNG."""
    fig.savefig(path, format="png", dpi=DPI, metadata={"Software": None})
    return path


def _cell(ax, x, y, face=CELL, edge=EDGE, lw=1.0, z=1, **kw):
    """Draw one unit cell whose lower-left corner is (x, y)."""
    ax.add_patch(Rectangle((x, y), 1, 1, facecolor=face, edgecolor=edge, linewidth=lw, zorder=z, **kw))


def _grid(ax, n_rows, n_cols, x0, y_top, faces=None, texts=None, size=13, edge=EDGE, lw=1.0, z=1, weights=None):
    """Draw an n_rows x n_cols grid, row 0 at the top; (x0, y_top) is its top-left corner."""
    for r in range(n_rows):
        for c in range(n_cols):
            x, y = x0 + c, y_top - r - 1
            face = faces[r][c] if faces is not None else CELL
            _cell(ax, x, y, face=face, edge=edge, lw=lw, z=z)
            if texts is not None and texts[r][c] != "":
                weight = weights[r][c] if weights is not None else "normal"
                ax.text(
                    x + 0.5,
                    y + 0.5,
                    texts[r][c],
                    ha="center",
                    va="center",
                    fontsize=size,
                    zorder=z + 2,
                    fontweight=weight,
                )


def _frame(ax, x, y, w, h, color, lw=3.0, z=5, ls="-"):
    """Draw an unfilled rectangle outline (a window)."""
    ax.add_patch(
        Rectangle(
            (x, y), w, h, facecolor="none", edgecolor=color, linewidth=lw, zorder=z, linestyle=ls, joinstyle="miter"
        )
    )


def _arrow(ax, start, end, color=INK, lw=1.6, style="-|>", ms=14, rad=0.0, z=6, shrink=0.0):
    """Draw an arrow from start to end (data coordinates)."""
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle=style,
            mutation_scale=ms,
            color=color,
            linewidth=lw,
            connectionstyle=f"arc3,rad={rad}",
            zorder=z,
            shrinkA=shrink,
            shrinkB=shrink,
        )
    )


def _dim(ax, start, end, label, offset=(0, 0), rotation=0, color=INK, size=11, ha="center", va="center", family=MONO):
    """Draw a double-headed dimension arrow with a label beside it."""
    _arrow(ax, start, end, color=color, lw=1.2, style="<|-|>", ms=10)
    mx, my = (start[0] + end[0]) / 2 + offset[0], (start[1] + end[1]) / 2 + offset[1]
    ax.text(
        mx,
        my,
        label,
        ha=ha,
        va=va,
        rotation=rotation,
        fontsize=size,
        color=color,
        family=family,
        bbox=dict(boxstyle="square,pad=0.15", facecolor="white", edgecolor="none"),
        zorder=7,
    )


# ---------------------------------------------------------------------------------
# 1. Zero padding
# ---------------------------------------------------------------------------------
def _tint(hex_color: str, v: float) -> tuple[float, float, float]:
    """Blend white towards hex_color by v in [0, 1]."""
    rgb = np.array(mcolors.to_rgb(hex_color))
    return tuple(1.0 - v * (1.0 - rgb))


def _planes(ax, img, x0, y0, pad, step=0.55):
    """Draw an (n, n, 3) image as three stacked channel planes, B at the back, R in front."""
    n = img.shape[0] + 2 * pad
    for k, name in reversed(list(enumerate(CHANNELS))):  # back to front
        ox, oy = x0 + k * step, y0 + k * step
        color = CHANNELS[name]
        for r in range(n):
            for c in range(n):
                inside = pad <= r < n - pad and pad <= c < n - pad
                face = _tint(color, img[r - pad, c - pad, k]) if inside else ZERO
                _cell(ax, ox + c, oy + n - r - 1, face=face, edge="white" if inside else "#9ca3af", lw=0.8, z=10 - k)
                if not inside and k == 0:
                    ax.text(
                        ox + c + 0.5,
                        oy + n - r - 0.5,
                        "0",
                        ha="center",
                        va="center",
                        fontsize=9,
                        color=MUTED,
                        zorder=12,
                    )
        _frame(ax, ox, oy, n, n, color, lw=1.6, z=10 - k + 0.5)
        ax.text(
            ox + n + 0.12,
            oy + n - 0.05,
            name,
            ha="left",
            va="top",
            fontsize=10,
            color=color,
            fontweight="bold",
            zorder=12,
        )


def draw_zero_padding(path: Path) -> Path:
    """Zero padding of a 6x6 RGB image with pad=2 (before / after)."""
    rng = np.random.default_rng(0)
    n, pad = 6, 2
    img = 0.25 + 0.7 * rng.random((n, n, 3))
    with _style():
        fig, ax = _canvas(10.8, 6.2, (-2.4, 26.9), (-4.3, 12.3))
        # before: a 6x6 image drawn at the height of the padded image's interior
        bx, by = 0.0, pad
        _planes(ax, img, bx, by, 0)
        ax.text(bx + n / 2, 11.4, "X  (6 × 6 × 3)", ha="center", va="center", fontsize=14, fontweight="bold")
        _dim(ax, (bx - 0.5, by), (bx - 0.5, by + n), "n_H_prev = 6", offset=(-0.55, 0), rotation=90)
        _dim(ax, (bx, by - 0.6), (bx + n, by - 0.6), "n_W_prev = 6", offset=(0, -0.6))

        # the operation
        _arrow(ax, (8.1, 5.0), (11.5, 5.0), lw=2.2, ms=20)
        ax.text(9.8, 5.6, "zero_pad(X, pad=2)", ha="center", va="bottom", fontsize=10.5, family=MONO)

        # after: 10x10, border of zeros
        px, py, N = 15.0, 0.0, n + 2 * pad
        _planes(ax, img, px, py, pad)
        _frame(ax, px + pad, py + pad, n, n, INK, lw=1.4, z=13, ls=(0, (4, 3)))
        ax.text(px + N / 2, 11.4, "X_pad  (10 × 10 × 3)", ha="center", va="center", fontsize=14, fontweight="bold")
        _dim(ax, (px - 1.6, py), (px - 1.6, py + N), "n_H_prev + 2·pad = 10", offset=(-0.55, 0), rotation=90)
        _dim(ax, (px - 0.45, py + N - pad), (px - 0.45, py + N), "pad", offset=(-0.45, 0), rotation=90, size=10)
        _dim(ax, (px - 0.45, py), (px - 0.45, py + pad), "pad", offset=(-0.45, 0), rotation=90, size=10)
        _dim(ax, (px, py - 0.45), (px + pad, py - 0.45), "pad", offset=(0, -0.5), size=10)
        _dim(ax, (px + N - pad, py - 0.45), (px + N, py - 0.45), "pad", offset=(0, -0.5), size=10)
        _dim(ax, (px, py - 1.9), (px + N, py - 1.9), "n_W_prev + 2·pad = 10", offset=(0, -0.6))

        # legend
        _cell(ax, 0.0, -3.9, face=ZERO, edge="#9ca3af", lw=0.8)
        ax.text(0.5, -3.4, "0", ha="center", va="center", fontsize=9, color=MUTED)
        ax.text(
            1.4,
            -3.4,
            "zeros added by padding (height and width only: the 3 channels stay 3)",
            ha="left",
            va="center",
            fontsize=11,
        )
        return _save_png(fig, path)


# ---------------------------------------------------------------------------------
# 2. One convolution step, animated
# ---------------------------------------------------------------------------------
CONV_A = np.array(
    [
        [1, 0, 2, 3, 1],
        [0, 1, 3, 2, 0],
        [2, 1, 0, 1, 3],
        [1, 3, 1, 0, 2],
        [0, 2, 1, 1, 1],
    ]
)
CONV_W = np.array(
    [
        [1, 0, -1],
        [1, 0, -1],
        [1, 0, -1],
    ]
)
CONV_B = 1


def _conv_output() -> np.ndarray:
    """The 3x3 output of CONV_A (*) CONV_W + CONV_B, stride 1, no padding."""
    f = CONV_W.shape[0]
    n = CONV_A.shape[0] - f + 1
    return np.array([[int(np.sum(CONV_A[h : h + f, w : w + f] * CONV_W)) + CONV_B for w in range(n)] for h in range(n)])


def _conv_frame(step: int | None) -> Image.Image:
    """Render one frame: step = h * n_W + w, or None for the closing summary frame."""
    f, n_in = CONV_W.shape[0], CONV_A.shape[0]
    n_out = n_in - f + 1
    Z = _conv_output()
    with _style():
        fig, ax = _canvas(9.6, 5.6, (-1.2, 18.0), (-5.3, 6.9))
        ax.text(
            8.4,
            6.35,
            "One convolution step:  Z[h, w] = sum(a_slice_prev * W) + b",
            ha="center",
            va="center",
            fontsize=14,
            fontweight="bold",
        )
        ax.text(8.4, 5.65, "f = 3,  stride = 1,  pad = 0", ha="center", va="center", fontsize=11, color=MUTED)

        # input
        x_in, top = 0.0, 5.0
        faces = [[CELL] * n_in for _ in range(n_in)]
        h = w = None
        if step is not None:
            h, w = divmod(step, n_out)
            for i in range(f):
                for j in range(f):
                    faces[h + i][w + j] = HL_FACE
        _grid(ax, n_in, n_in, x_in, top, faces=faces, texts=[[_num(v) for v in row] for row in CONV_A], size=15)
        ax.text(
            x_in + n_in / 2, top - n_in - 0.45, "A_prev (5 × 5)", ha="center", va="center", fontsize=11, family=MONO
        )
        if step is not None:
            _frame(ax, x_in + w, top - h - f, f, f, HL_EDGE, lw=3.0)
            for i in range(f):
                for j in range(f):
                    ax.text(
                        x_in + w + j + 0.93,
                        top - h - i - 0.9,
                        "×" + _num(CONV_W[i, j]),
                        ha="right",
                        va="bottom",
                        fontsize=8.5,
                        color=HL_EDGE,
                        zorder=8,
                    )

        # filter and bias
        x_w = 6.6
        _grid(
            ax,
            f,
            f,
            x_w,
            4.0,
            faces=[[HL_FACE] * f for _ in range(f)],
            texts=[[_num(v) for v in row] for row in CONV_W],
            size=15,
        )
        _frame(ax, x_w, 4.0 - f, f, f, HL_EDGE, lw=2.0)
        ax.text(x_w + f / 2, 4.0 - f - 0.45, "W (3 × 3)", ha="center", va="center", fontsize=11, family=MONO)
        ax.text(x_w + f / 2, 4.0 - f - 1.2, f"b = {CONV_B}", ha="center", va="center", fontsize=12, family=MONO)

        # output
        x_out = 12.6
        faces = [[CELL] * n_out for _ in range(n_out)]
        texts = [[""] * n_out for _ in range(n_out)]
        last = n_out * n_out - 1 if step is None else step
        for s in range(last + 1):
            r, c = divmod(s, n_out)
            faces[r][c] = OUT_FACE
            texts[r][c] = _num(Z[r, c])
        if step is not None:
            faces[h][w] = HL_FACE
        _grid(ax, n_out, n_out, x_out, 4.0, faces=faces, texts=texts, size=15)
        if step is not None:
            _frame(ax, x_out + w, 4.0 - h - 1, 1, 1, HL_EDGE, lw=3.0)
        ax.text(x_out + n_out / 2, 4.0 - n_out - 0.45, "Z (3 × 3)", ha="center", va="center", fontsize=11, family=MONO)
        for c in range(n_out):
            ax.text(x_out + c + 0.5, 4.3, f"w={c}", ha="center", va="bottom", fontsize=8.5, color=MUTED)
        for r in range(n_out):
            ax.text(x_out + n_out + 0.15, 4.0 - r - 0.5, f"h={r}", ha="left", va="center", fontsize=8.5, color=MUTED)

        # the arithmetic
        if step is not None:
            win = CONV_A[h : h + f, w : w + f]
            lines, sums = [], []
            for i in range(f):
                terms = [f"{_num(win[i, j])}·{_wt(CONV_W[i, j])}" for j in range(f)]
                s = int(np.sum(win[i] * CONV_W[i]))
                sums.append(s)
                lines.append(f"row {i}:  " + " + ".join(terms) + f"  = {_num(s):>2}")
            total = " + ".join(_wt(s) for s in sums)
            lines.append(f"Z[{h}, {w}] = row 0 + row 1 + row 2 + b = {total} + {_wt(CONV_B)} = {_num(Z[h, w])}")
            for k, line in enumerate(lines):
                ax.text(
                    0.0,
                    -1.55 - 0.78 * k,
                    line,
                    ha="left",
                    va="center",
                    fontsize=12.5,
                    family=MONO,
                    fontweight="bold" if k == f else "normal",
                    color=HL_EDGE if k == f else INK,
                )
        else:
            ax.text(
                8.4,
                -2.2,
                "Done: the filter visited every 3 × 3 window.",
                ha="center",
                va="center",
                fontsize=13,
                fontweight="bold",
            )
            ax.text(
                8.4,
                -3.2,
                "n_H = (n_H_prev − f + 2·pad) // stride + 1 = (5 − 3 + 0) // 1 + 1 = 3",
                ha="center",
                va="center",
                fontsize=12,
                family=MONO,
            )
        fig.canvas.draw()
        rgba = np.asarray(fig.canvas.buffer_rgba())
        return Image.fromarray(rgba[..., :3].copy())


def _wt(v: int) -> str:
    """A weight/term, parenthesised when negative."""
    return f"({_num(v)})" if v < 0 else _num(v)


def conv_frames() -> list[Image.Image]:
    """All RGB frames of the convolution animation (9 steps + a summary)."""
    n_out = CONV_A.shape[0] - CONV_W.shape[0] + 1
    return [_conv_frame(s) for s in range(n_out * n_out)] + [_conv_frame(None)]


def _to_palette(frames: list[Image.Image], n: int = 128) -> list[Image.Image]:
    """Map RGB frames onto one shared palette: the n most frequent colours over all frames.

    Flat fills (white, cell colours, text) are kept exactly; every other (anti-aliased)
    pixel goes to its nearest palette colour.  Pure NumPy, so fully deterministic.
    """
    arrays = [np.asarray(fr, dtype=np.int64) for fr in frames]
    keys = [(a[..., 0] << 16) | (a[..., 1] << 8) | a[..., 2] for a in arrays]
    uniq, counts = np.unique(np.concatenate([k.ravel() for k in keys]), return_counts=True)
    top = uniq[np.lexsort((uniq, -counts))][:n]  # by count, ties by colour
    pal = np.stack([(top >> 16) & 255, (top >> 8) & 255, top & 255], axis=1)
    flat = pal.astype(np.uint8).ravel().tolist()
    flat += flat[-3:] * (256 - len(pal))
    out = []
    for k in keys:
        u, inv = np.unique(k.ravel(), return_inverse=True)
        rgb = np.stack([(u >> 16) & 255, (u >> 8) & 255, u & 255], axis=1)
        nearest = ((rgb[:, None, :] - pal[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
        img = Image.fromarray(nearest[inv].reshape(k.shape).astype(np.uint8))
        img.putpalette(flat)
        out.append(img)
    return out


def draw_conv_step(path: Path) -> Path:
    """Animated GIF of a 3x3 filter sliding over a 5x5 input, filling the 3x3 output."""
    frames = conv_frames()
    pframes = _to_palette(frames)  # one shared palette, no dithering
    durations = [800] * (len(frames) - 1) + [2400]
    pframes[0].save(
        path,
        format="GIF",
        save_all=True,
        append_images=pframes[1:],
        loop=0,
        duration=durations,
        optimize=False,
        disposal=1,
    )
    return path


# ---------------------------------------------------------------------------------
# 3. Slice corners
# ---------------------------------------------------------------------------------
def draw_slice_corners(path: Path) -> Path:
    """How vert_start/vert_end/horiz_start/horiz_end frame the slice for output (h, w)."""
    n, f, stride, h, w = 9, 3, 2, 1, 2
    n_out = (n - f) // stride + 1
    vs, hs = h * stride, w * stride
    ve, he = vs + f, hs + f
    with _style():
        fig, ax = _canvas(12.0, 6.6, (-11.5, 23.5), (-5.4, 14.1))
        ax.text(
            6.0,
            13.4,
            "Which slice of a_prev_pad produces Z[i, h, w, c]?",
            ha="center",
            va="center",
            fontsize=15,
            fontweight="bold",
        )
        ax.text(
            6.0,
            12.5,
            f"f = {f},  stride = {stride},  output position (h, w) = ({h}, {w})",
            ha="center",
            va="center",
            fontsize=12,
            color=MUTED,
        )

        x0, top = 0.0, 9.0
        faces = [[HL_FACE if vs <= r < ve and hs <= c < he else CELL for c in range(n)] for r in range(n)]
        _grid(ax, n, n, x0, top, faces=faces)
        _frame(ax, x0 + hs, top - ve, f, f, HL_EDGE, lw=3.0)
        for k in range(n):
            ax.text(x0 + k + 0.5, top + 0.15, str(k), ha="center", va="bottom", fontsize=9, color=MUTED)
            ax.text(x0 - 0.2, top - k - 0.5, str(k), ha="right", va="center", fontsize=9, color=MUTED)
        ax.text(-1.2, 1.0, "a_prev_pad = A_prev_pad[i]", ha="right", va="center", fontsize=11, family=MONO)
        ax.text(-1.2, 0.2, "9 × 9 × n_C_prev, seen from above", ha="right", va="center", fontsize=10, color=MUTED)

        # row boundaries: extend dashed lines to labels on the left
        for y, label in (
            (top - vs, f"vert_start = h·stride = {h}·{stride} = {vs}"),
            (top - ve, f"vert_end = vert_start + f = {vs} + {f} = {ve}"),
        ):
            ax.plot([-1.0, x0 + n + 0.3], [y, y], color=HL_EDGE, lw=1.6, ls=(0, (5, 3)), zorder=6)
            ax.text(-1.2, y, label, ha="right", va="center", fontsize=11, family=MONO, color=INK)
        ax.text(
            -1.2,
            top - ve - 0.75,
            "(row 5 not included: slices stop before the end)",
            ha="right",
            va="center",
            fontsize=9.5,
            color=MUTED,
        )
        # column boundaries: start labelled above, end labelled below
        ax.plot([x0 + hs, x0 + hs], [top + 1.0, -0.3], color=HL_EDGE, lw=1.6, ls=(0, (5, 3)), zorder=6)
        ax.text(
            x0 + hs,
            top + 1.35,
            f"horiz_start = w·stride = {w}·{stride} = {hs}",
            ha="center",
            va="center",
            fontsize=11,
            family=MONO,
        )
        ax.plot([x0 + he, x0 + he], [top + 0.3, -1.0], color=HL_EDGE, lw=1.6, ls=(0, (5, 3)), zorder=6)
        ax.text(
            x0 + he,
            -1.35,
            f"horiz_end = horiz_start + f = {hs} + {f} = {he}",
            ha="center",
            va="center",
            fontsize=11,
            family=MONO,
        )

        # output grid
        xo, to = 15.5, 6.5
        faces = [[HL_FACE if (r, c) == (h, w) else OUT_FACE for c in range(n_out)] for r in range(n_out)]
        texts = [["" for _ in range(n_out)] for _ in range(n_out)]
        _grid(ax, n_out, n_out, xo, to, faces=faces, texts=texts)
        _frame(ax, xo + w, to - h - 1, 1, 1, HL_EDGE, lw=3.0)
        for k in range(n_out):
            ax.text(xo + k + 0.5, to - n_out - 0.15, str(k), ha="center", va="top", fontsize=9, color=MUTED)
            ax.text(xo + n_out + 0.2, to - k - 0.5, str(k), ha="left", va="center", fontsize=9, color=MUTED)
        ax.text(
            xo - 0.25, to - n_out - 0.45, "w", ha="right", va="center", fontsize=10, color=MUTED, fontstyle="italic"
        )
        ax.text(xo + n_out + 0.2, to + 0.35, "h", ha="left", va="center", fontsize=10, color=MUTED, fontstyle="italic")
        ax.text(
            xo + n_out / 2,
            to - n_out - 1.25,
            "Z[i, :, :, c]   (4 × 4)",
            ha="center",
            va="center",
            fontsize=11,
            family=MONO,
        )
        ax.text(
            xo + n_out / 2,
            to - n_out - 2.05,
            "n_H = (9 − 3) // 2 + 1 = 4",
            ha="center",
            va="center",
            fontsize=10,
            family=MONO,
            color=MUTED,
        )
        _arrow(
            ax, (x0 + he + 0.1, top - vs - 0.3), (xo + w + 0.5, to - h - 0.05), color=HL_EDGE, lw=2.2, ms=18, rad=-0.35
        )
        ax.text(12.0, 10.85, "conv_single_step(...)", ha="center", va="center", fontsize=10, family=MONO, color=HL_EDGE)

        # the code
        ax.text(
            6.0,
            -3.6,
            "a_slice_prev = a_prev_pad[vert_start:vert_end, horiz_start:horiz_end, :]",
            ha="center",
            va="center",
            fontsize=12,
            family=MONO,
        )
        ax.text(
            6.0,
            -4.6,
            f"             = a_prev_pad[{vs}:{ve}, {hs}:{he}, :]      →  shape ({f}, {f}, n_C_prev)",
            ha="center",
            va="center",
            fontsize=12,
            family=MONO,
            color=HL_EDGE,
        )
        return _save_png(fig, path)


# ---------------------------------------------------------------------------------
# 4./5. Pooling
# ---------------------------------------------------------------------------------
POOL_A = np.array(
    [
        [1, 3, 2, 1],
        [4, 6, 5, 0],
        [-3, -1, 7, 2],
        [-2, -5, 4, 8],
    ]
)


def _draw_pool(path: Path, mode: str) -> Path:
    """Shared layout of the max / average pooling figures (f = 2, stride = 2, 4x4 -> 2x2)."""
    f = stride = 2
    n = POOL_A.shape[0]
    n_out = (n - f) // stride + 1
    win_of = lambda r, c: (r // stride) * n_out + (c // stride)  # noqa: E731
    with _style():
        fig, ax = _canvas(10.0, 5.6, (-1.2, 16.6), (-3.9, 6.1))
        title = {
            "max": "Max pooling: each output is the largest value of its window",
            "average": "Average pooling: each output is the mean of its window",
        }[mode]
        ax.text(7.7, 5.5, title, ha="center", va="center", fontsize=15, fontweight="bold")

        x0, top = 0.0, 4.3
        faces = [[WINDOWS[win_of(r, c)][0] for c in range(n)] for r in range(n)]
        texts = [[_num(v) for v in row] for row in POOL_A]
        weights = [["normal"] * n for _ in range(n)]
        outs = np.zeros((n_out, n_out))
        winners = []
        for hh in range(n_out):
            for ww in range(n_out):
                win = POOL_A[hh * stride : hh * stride + f, ww * stride : ww * stride + f]
                if mode == "max":
                    outs[hh, ww] = win.max()
                    i, j = np.unravel_index(np.argmax(win), win.shape)
                    winners.append((hh * stride + i, ww * stride + j, win_of(hh * stride, ww * stride)))
                else:
                    outs[hh, ww] = win.mean()
        for r, c, _ in winners:
            weights[r][c] = "bold"
        _grid(ax, n, n, x0, top, faces=faces, texts=texts, size=16, weights=weights)
        for k in range(n_out * n_out):
            hh, ww = divmod(k, n_out)
            _frame(ax, x0 + ww * stride, top - (hh + 1) * stride, f, f, WINDOWS[k][1], lw=3.2, z=6)
        for r, c, k in winners:
            ax.add_patch(
                Circle(
                    (x0 + c + 0.5, top - r - 0.5),
                    0.36,
                    facecolor="none",
                    edgecolor=WINDOWS[k][1],
                    linewidth=2.4,
                    zorder=7,
                )
            )
        ax.text(
            x0 + n / 2,
            top - n - 0.45,
            "A_prev[i, :, :, c]   (4 × 4)",
            ha="center",
            va="center",
            fontsize=11,
            family=MONO,
        )

        # operation arrow
        label = {"max": "max pool", "average": "average pool"}[mode]
        _arrow(ax, (5.2, 2.3), (9.0, 2.3), lw=2.2, ms=20)
        ax.text(7.1, 2.75, label, ha="center", va="bottom", fontsize=12, fontweight="bold")
        ax.text(7.1, 1.85, "f = 2, stride = 2", ha="center", va="top", fontsize=11, family=MONO)

        # output
        xo, to = 10.2, 3.3
        faces = [[WINDOWS[r * n_out + c][0] for c in range(n_out)] for r in range(n_out)]
        digits = 0 if mode == "max" else 2
        texts = [[_fmt_out(outs[r, c], digits) for c in range(n_out)] for r in range(n_out)]
        for r in range(n_out):
            for c in range(n_out):
                k = r * n_out + c
                x, y = xo + 1.5 * c, to - 1.5 * r - 1.5
                ax.add_patch(
                    Rectangle(
                        (x, y),
                        1.5,
                        1.5,
                        facecolor=WINDOWS[k][0],
                        edgecolor=WINDOWS[k][1],
                        linewidth=3.2,
                        zorder=2,
                        joinstyle="miter",
                    )
                )
                ax.text(
                    x + 0.75, y + 0.75, texts[r][c], ha="center", va="center", fontsize=16, fontweight="bold", zorder=4
                )
        ax.text(
            xo + 1.5, to - 3.0 - 0.45, "A[i, :, :, c]   (2 × 2)", ha="center", va="center", fontsize=11, family=MONO
        )
        ax.text(
            xo + 1.5,
            to - 3.0 - 1.15,
            "n_H = (4 − 2) // 2 + 1 = 2",
            ha="center",
            va="center",
            fontsize=10,
            family=MONO,
            color=MUTED,
        )

        # worked examples
        tl, bl = POOL_A[0:2, 0:2].ravel(), POOL_A[2:4, 0:2].ravel()
        if mode == "max":
            lines = [
                f"top-left:     max({', '.join(_num(v) for v in tl)}) = {_num(tl.max())}",
                f"bottom-left:  max({', '.join(_num(v) for v in bl)}) = {_num(bl.max())}"
                "   (all negative: the max is not 0!)",
            ]
            note = "○ the winning cell of each window (backprop sends the whole gradient there)"
        else:
            lines = [
                f"top-left:     ({_sum_str(tl)}) / 4 = {_fmt_out(tl.mean(), 2)}",
                f"bottom-left:  ({_sum_str(bl)}) / 4 = {_fmt_out(bl.mean(), 2)}",
            ]
            note = "every cell counts equally (backprop gives each cell 1/4 of the gradient)"
        for k, line in enumerate(lines):
            ax.text(-0.2, -1.45 - 0.7 * k, line, ha="left", va="center", fontsize=11.5, family=MONO)
        ax.text(-0.2, -3.2, note, ha="left", va="center", fontsize=11, color=MUTED)
        return _save_png(fig, path)


def _fmt_out(v: float, digits: int) -> str:
    """Format a pooled value: integers for max, up to two decimals for the mean."""
    if digits == 0:
        return _num(v)
    s = f"{v:.2f}".rstrip("0")
    s = s + "0" if s.endswith(".") else s
    return s.replace("-", "\u2212")


def _sum_str(vals) -> str:
    """'1 + 3 − 4' style sum of integers."""
    out = _num(vals[0])
    for v in vals[1:]:
        out += f" − {_num(-v)}" if v < 0 else f" + {_num(v)}"
    return out


def draw_max_pool(path: Path) -> Path:
    """Max pooling, f=2, stride=2, on a 4x4 grid; the winning cells are circled."""
    return _draw_pool(path, "max")


def draw_average_pool(path: Path) -> Path:
    """Average pooling, f=2, stride=2, on a 4x4 grid."""
    return _draw_pool(path, "average")


# ---------------------------------------------------------------------------------
# 6. The model
# ---------------------------------------------------------------------------------
def _volume(ax, x, side, depth, face, edge, z=2):
    """A box: front face side x side (spatial size), receding depth (channels); returns right x."""
    dx, dy = 0.75 * depth, 0.5 * depth
    y0 = -side / 2
    front = Rectangle((x, y0), side, side, facecolor=face, edgecolor=edge, linewidth=1.4, zorder=z + 0.2)
    top = Polygon(
        [(x, y0 + side), (x + dx, y0 + side + dy), (x + side + dx, y0 + side + dy), (x + side, y0 + side)],
        closed=True,
        facecolor=_shade(face, 0.88),
        edgecolor=edge,
        linewidth=1.4,
        zorder=z,
    )
    right = Polygon(
        [(x + side, y0), (x + side + dx, y0 + dy), (x + side + dx, y0 + side + dy), (x + side, y0 + side)],
        closed=True,
        facecolor=_shade(face, 0.75),
        edgecolor=edge,
        linewidth=1.4,
        zorder=z,
    )
    for p in (top, right, front):
        ax.add_patch(p)
    return x + side + dx


def _shade(hex_color: str, k: float):
    """Darken a colour by factor k."""
    return tuple(k * c for c in mcolors.to_rgb(hex_color))


def draw_model(path: Path) -> Path:
    """The small CONV -> POOL -> CONV -> POOL -> FC -> softmax model, with shapes."""
    colors = {
        "input": ("#e5e7eb", "#4b5563"),
        "conv": ("#bfdbfe", "#1d4ed8"),
        "pool": ("#fde68a", "#b45309"),
        "fc": ("#bbf7d0", "#15803d"),
    }
    side = {64: 3.0, 16: 1.7, 4: 0.8}
    depth = lambda c: 0.25 + 0.075 * c  # noqa: E731
    layers = [  # (kind, H, C, shape text)
        ("input", 64, 3, "64×64×3"),
        ("conv", 64, 8, "64×64×8"),
        ("pool", 16, 8, "16×16×8"),
        ("conv", 16, 16, "16×16×16"),
        ("pool", 4, 16, "4×4×16"),
    ]
    ops = [
        ("conv", "CONV 3×3\n8 filters\npad 1, stride 1\n+ ReLU"),
        ("pool", "MAX POOL\nf 4, stride 4"),
        ("conv", "CONV 3×3\n16 filters\npad 1, stride 1\n+ ReLU"),
        ("pool", "MAX POOL\nf 4, stride 4"),
        ("fc", "FLATTEN"),
        ("fc", "FC\n256 → 6"),
        ("fc", "softmax"),
    ]
    gap = 2.8
    with _style():
        fig, ax = _canvas(13.0, 3.65, (-0.6, 38.8), (-4.1, 6.9))
        ax.text(
            19.1,
            6.25,
            "The model the course builds toward:  CONV → POOL → CONV → POOL → FC → softmax",
            ha="center",
            va="center",
            fontsize=14,
            fontweight="bold",
        )
        x = 0.0
        centers, rights = [], []
        for kind, H, C, _ in layers:
            face, edge = colors[kind]
            right = _volume(ax, x, side[H], depth(C), face, edge)
            centers.append((x + right) / 2)
            rights.append((x, right))
            x = right + gap
        # flatten: a thin column of cells standing for the 256 numbers
        face, edge = colors["fc"]
        fx, col_h, k = x, 3.2, 16
        for i in range(k):
            ax.add_patch(
                Rectangle(
                    (fx, -col_h / 2 + i * col_h / k),
                    0.4,
                    col_h / k,
                    facecolor="#e9d5ff",
                    edgecolor="#7e22ce",
                    linewidth=0.8,
                    zorder=2,
                )
            )
        rights.append((fx, fx + 0.4))
        centers.append(fx + 0.2)
        x = fx + 0.4 + gap
        # FC output: 6 units
        ox = x
        for i in range(6):
            ax.add_patch(
                Circle((ox + 0.3, -1.375 + i * 0.55), 0.22, facecolor=face, edgecolor=edge, linewidth=1.4, zorder=2)
            )
        rights.append((ox, ox + 0.6))
        centers.append(ox + 0.3)
        x = ox + 0.6 + gap
        # probabilities
        px = x
        probs = [0.05, 0.1, 0.6, 0.1, 0.1, 0.05]
        for i, p in enumerate(probs):
            ax.add_patch(
                Rectangle(
                    (px, -1.575 + i * 0.55), 1.6 * p / 0.6, 0.4, facecolor=face, edgecolor=edge, linewidth=1.0, zorder=2
                )
            )
        rights.append((px, px + 1.6))
        centers.append(px + 0.8)

        # arrows and operation labels between consecutive items
        for i, (kind, label) in enumerate(ops):
            a, b = rights[i][1] + 0.25, rights[i + 1][0] - 0.25
            _arrow(ax, (a, 0.0), (b, 0.0), lw=1.8, ms=16)
            ax.text(
                (a + b) / 2,
                2.75,
                label,
                ha="center",
                va="bottom",
                fontsize=10,
                color=colors[kind][1],
                fontweight="bold",
                linespacing=1.25,
            )
        shapes = [t for *_, t in layers] + ["256", "6", "6 class\nprobabilities"]
        names = ["input", "conv1", "pool1", "conv2", "pool2", "flatten", "FC", "ŷ"]
        for c, s, nm in zip(centers, shapes, names):
            ax.text(c, -2.6, s, ha="center", va="top", fontsize=11.5, family=MONO, fontweight="bold")
            ax.text(c, -2.25, nm, ha="center", va="bottom", fontsize=9.5, color=MUTED)
        return _save_png(fig, path)


# ---------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------
#: file name -> function(path) that draws it.
FIGURES: dict[str, Callable[[Path], Path]] = {
    "zero_padding.png": draw_zero_padding,
    "conv_step.gif": draw_conv_step,
    "slice_corners.png": draw_slice_corners,
    "max_pool.png": draw_max_pool,
    "average_pool.png": draw_average_pool,
    "model.png": draw_model,
}


def draw_all(out_dir: Path, figures: dict[str, Callable[[Path], Path]] = FIGURES) -> list[Path]:
    """Create out_dir and draw every figure of ``figures`` (file name -> drawing function) into it; return the
    written paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return [draw(out_dir / name) for name, draw in figures.items()]


def command_line(argv, figures, default_out, prog, doc):
    """A lesson's figures module's command line: draw ``figures`` into --out (default: ``default_out``)."""
    parser = argparse.ArgumentParser(prog=prog, description=doc.splitlines()[0])
    parser.add_argument("--out", type=Path, default=default_out, help=f"output folder (default: {default_out})")
    args = parser.parse_args(argv)
    for p in draw_all(args.out, figures):
        print(f"wrote {p} ({p.stat().st_size / 1024:.1f} KB)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: draw all figures into --out (default: the assignment's images folder)."""
    return command_line(argv, FIGURES, DEFAULT_OUT, "python -m course.figures", __doc__)


if __name__ == "__main__":
    sys.exit(main())
