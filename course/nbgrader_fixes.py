"""Fixes for nbgrader bugs met when grading real classes, plugged in through nbgrader's config.

- A student who duplicated a graded cell: nbgrader's ``DeduplicateIds`` keeps the last copy and sets
  the others' nbgrader metadata to ``{}``, which nbgrader's own format check then rejects as "an old
  version of the nbgrader metadata format", so the whole submission fails. Removing the metadata
  instead turns the extra copies into ordinary cells, and the submission is graded.
"""

from nbgrader.preprocessors import (CheckCellMetadata, ClearOutput, DeduplicateIds, OverwriteCells,
                                    OverwriteKernelspec)


class DeduplicateIdsDroppingMetadata(DeduplicateIds):
    """``DeduplicateIds`` that makes duplicates plain cells (no ``nbgrader`` metadata at all)."""

    def preprocess_cell(self, cell, resources, cell_index):
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cell.metadata.get("nbgrader") == {}:
            del cell.metadata["nbgrader"]
        return cell, resources


def apply(config):
    """Put the fixes into an nbgrader ``Config`` (nbgrader's default sanitize steps, one swapped)."""
    config.Autograde.sanitize_preprocessors = [
        ClearOutput, DeduplicateIdsDroppingMetadata, OverwriteKernelspec, OverwriteCells, CheckCellMetadata,
    ]
    return config
