"""The committed lesson figures are exactly what course/figures.py draws."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # allow `pytest` without an installed package
    sys.path.insert(0, str(ROOT))

from course import figures  # noqa: E402

IMAGES = ROOT / "source" / "cnn_step_by_step" / "images"
PNG_LIMIT = 150 * 1024
GIF_LIMIT = 600 * 1024
REGENERATE = "run `make figures` (python -m course.figures) and commit the images"


@pytest.fixture(scope="module")
def drawn(tmp_path_factory) -> dict[str, Path]:
    """All figures, freshly drawn into a temporary folder."""
    out = tmp_path_factory.mktemp("figures")
    paths = figures.draw_all(out)
    return {p.name: p for p in paths}


def test_draw_all_writes_every_figure(drawn):
    assert sorted(drawn) == sorted(figures.FIGURES)
    assert set(figures.FIGURES) == {
        "zero_padding.png",
        "conv_step.gif",
        "slice_corners.png",
        "max_pool.png",
        "average_pool.png",
        "model.png",
    }


@pytest.mark.parametrize("name", sorted(figures.FIGURES))
def test_committed_figure_is_up_to_date(drawn, name):
    committed = IMAGES / name
    assert committed.is_file(), f"{committed} is missing: {REGENERATE}"
    assert drawn[name].read_bytes() == committed.read_bytes(), (
        f"{committed.relative_to(ROOT)} differs from what course/figures.py draws: {REGENERATE}"
    )


@pytest.mark.parametrize("name", sorted(figures.FIGURES))
def test_figure_size_limits(drawn, name):
    size = drawn[name].stat().st_size
    limit = GIF_LIMIT if name.endswith(".gif") else PNG_LIMIT
    assert 0 < size < limit, f"{name} is {size} bytes (limit {limit})"


def test_drawing_is_deterministic(drawn, tmp_path):
    again = figures.FIGURES["max_pool.png"](tmp_path / "max_pool.png")
    assert again.read_bytes() == drawn["max_pool.png"].read_bytes()


def test_conv_gif_is_an_endless_animation(drawn):
    from PIL import Image

    with Image.open(drawn["conv_step.gif"]) as im:
        assert im.format == "GIF"
        assert im.n_frames > 5
        assert im.info.get("loop") == 0, "the GIF must loop forever"
        durations = []
        for k in range(im.n_frames):
            im.seek(k)
            durations.append(im.info["duration"])
    assert all(d >= 500 for d in durations)


def test_pngs_carry_no_software_or_date_metadata(drawn):
    from PIL import Image

    for name, path in drawn.items():
        if name.endswith(".png"):
            with Image.open(path) as im:
                assert im.format == "PNG"
                keys = {k.lower() for k in im.info}
                assert not keys & {"software", "creation time", "date"}, (name, im.info)


def test_main_writes_into_out_dir(tmp_path, capsys, monkeypatch):
    # two cheap figures are enough to check the command line (draw_all is covered above)
    cheap = {name: figures.FIGURES[name] for name in ("max_pool.png", "model.png")}
    monkeypatch.setattr(figures, "FIGURES", cheap)
    assert figures.main(["--out", str(tmp_path / "imgs")]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == len(cheap)
    assert sorted(p.name for p in (tmp_path / "imgs").iterdir()) == sorted(cheap)


def test_default_out_dir_is_the_assignment_images():
    assert figures.DEFAULT_OUT == IMAGES
