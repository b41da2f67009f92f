"""Where things are in the course directory, and what the assignment is made of."""

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the nbgrader course directory
ASSIGNMENT = "cnn_step_by_step"  # assignment id == notebook name
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
SOURCE_DIR = ROOT / "source" / ASSIGNMENT
RELEASE_DIR = ROOT / "release" / ASSIGNMENT
IMAGES_DIR = SOURCE_DIR / "images"


@dataclass(frozen=True)
class Exercise:
    """One exercise: the function students write, its test cell and its points."""

    function: str
    points: int
    part: str  # "forward" (graded) or "backward" (optional, reported separately)

    @property
    def solution_cell(self):
        return self.function

    @property
    def test_cell(self):
        return f"test_{self.function}"


EXERCISES = (
    Exercise("zero_pad", 10, "forward"),
    Exercise("conv_single_step", 10, "forward"),
    Exercise("conv_forward", 40, "forward"),
    Exercise("pool_forward", 40, "forward"),
    Exercise("conv_backward", 20, "backward"),
    Exercise("create_mask_from_window", 5, "backward"),
    Exercise("distribute_value", 5, "backward"),
    Exercise("pool_backward", 20, "backward"),
)
PARTS = ("forward", "backward")


def part_points(part):
    """Maximum points of a part: 100 for "forward", 50 for "backward"."""
    return sum(e.points for e in EXERCISES if e.part == part)
