"""Fixes for nbgrader bugs met when grading real classes, plugged in through nbgrader's config.

- A student who duplicated a graded cell: nbgrader's ``DeduplicateIds`` keeps the last copy and sets
  the others' nbgrader metadata to ``{}``, which nbgrader's own format check then rejects as "an old
  version of the nbgrader metadata format", so the whole submission fails. Removing the metadata
  instead turns the extra copies into ordinary cells, and the submission is graded.
- nbgrader's cell-metadata check calls ``jsonschema.validate`` for every nbgrader cell, which checks
  the schema itself and builds a validator each time (0.05 s of CPU per notebook, a tenth of
  nbgrader's own work when grading). ``CheckCellMetadataOnce`` makes the same checks with the
  validator built once per process.
- The first grading of a submission makes SQLAlchemy 2 warn three times ("Object of type
  <SubmittedAssignment> not in session, add operation along 'Assignment.submissions' will not
  proceed"): nbgrader's ``Gradebook.add_submission`` builds the submission's rows, and reading a
  notebook's cells midway (a lazy load) flushes the session while the new rows are not in it yet.
  Nothing is lost (the ``db.add(submission)`` that follows adds every row), but an instructor sees
  three warnings per student. ``add_submission_without_autoflush`` builds the rows with autoflush
  off, as SQLAlchemy advises for building related objects: no early flush, no warning, the same rows.
"""

import functools
import traceback

from jsonschema import validators
from jsonschema.exceptions import best_match
from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from nbgrader.nbgraderformat.common import BaseMetadataValidator
from nbgrader.preprocessors import CheckCellMetadata, ClearOutput, DeduplicateIds, OverwriteCells, OverwriteKernelspec

_VALIDATORS = {}  # schema version -> jsonschema validator of nbgrader's cell metadata


class DeduplicateIdsDroppingMetadata(DeduplicateIds):
    """``DeduplicateIds`` that makes duplicates plain cells (no ``nbgrader`` metadata at all)."""

    def preprocess_cell(self, cell, resources, cell_index):
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cell.metadata.get("nbgrader") == {}:
            del cell.metadata["nbgrader"]
        return cell, resources


class _SchemaCheckedOnce(BaseMetadataValidator):
    """``BaseMetadataValidator.validate_cell`` with a validator built once: what
    ``jsonschema.validate`` does (check the schema, build a validator, raise the best error),
    minus re-checking and rebuilding for every cell."""

    def validate_cell(self, cell):
        meta = cell.metadata.get("nbgrader")
        if meta is None or meta.get("schema_version", 0) != self.schema_version:
            return super().validate_cell(cell)  # nbgrader's own "too old" / "too new" errors
        validator = _VALIDATORS.get(self.schema_version)
        if validator is None:
            cls = validators.validator_for(self.schema)
            cls.check_schema(self.schema)
            validator = _VALIDATORS[self.schema_version] = cls(self.schema)
        error = best_match(validator.iter_errors(meta))
        if error is not None:
            raise error


class _MetadataValidatorOnce(MetadataValidator, _SchemaCheckedOnce):
    """nbgrader's current metadata validator (its own checks too), the schema checked once."""


class CheckCellMetadataOnce(CheckCellMetadata):
    """``CheckCellMetadata`` on ``_MetadataValidatorOnce``: the same checks and messages."""

    def preprocess(self, nb, resources):
        try:
            _MetadataValidatorOnce().validate_nb(nb)
        except ValidationError:
            self.log.error(traceback.format_exc())
            msg = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(msg)
            raise ValidationError(msg) from None
        return nb, resources


def apply(config):
    """Put the fixes into an nbgrader ``Config``: nbgrader's default sanitize steps with the two
    swaps above, and its default autograde steps with CheckCellMetadataOnce (unless configured)."""
    from nbgrader.converters import Autograde

    config.Autograde.sanitize_preprocessors = [
        ClearOutput,
        DeduplicateIdsDroppingMetadata,
        OverwriteKernelspec,
        OverwriteCells,
        CheckCellMetadataOnce,
    ]
    if "autograde_preprocessors" not in config.Autograde:
        default = Autograde.class_traits()["autograde_preprocessors"].default()
        config.Autograde.autograde_preprocessors = [
            CheckCellMetadataOnce if step is CheckCellMetadata else step for step in default
        ]
    return config


def add_submission_without_autoflush():
    """Make nbgrader's ``Gradebook.add_submission`` build its rows with the session's autoflush off
    (above). Idempotent: the config may be loaded more than once in a process."""
    from nbgrader.api import Gradebook

    original = Gradebook.add_submission
    if getattr(original, "without_autoflush", False):
        return

    @functools.wraps(original)
    def add_submission(self, assignment, student, **kwargs):
        with self.db.no_autoflush:
            return original(self, assignment, student, **kwargs)

    add_submission.without_autoflush = True
    Gradebook.add_submission = add_submission
