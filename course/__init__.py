"""cnn-step-by-step: the course's own tools.

Modules, one job each:
- ``layout``       where things are in the course directory, and the exercises with their points
- ``nbgrader_cli`` running nbgrader commands with the right environment
- ``release``      building the student release from the instructor notebook
- ``submissions``  making submissions from the release (filled with solutions or other code)
- ``gradebook``    reading per-exercise scores back from nbgrader's gradebook
- ``demo``         the demo class: lay out, autograde, feedback, export, print a table
- ``figures``      drawing the lesson's figures
Run ``python -m course --help`` for the command line.
"""
