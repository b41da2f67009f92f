"""Feedback pages that work offline: formulas as MathML, and a heading that says what the score is.

Used by ``nbgrader generate_feedback`` with the template ``course/templates/cnn_feedback``:

- :class:`RenderMath` (a preprocessor) converts every formula of every markdown cell to MathML, which
  browsers draw natively, so the page needs neither MathJax nor a network connection.
- :class:`FeedbackHeading` (a preprocessor) puts the page's heading into ``resources["cnn"]``; it
  must run after nbgrader's ``GetGrades``, which sets the score.
- :class:`FeedbackExporter` (``c.GenerateFeedback.exporter_class``) puts the MathML into the page
  and lets the template extend nbgrader's ``feedback/index.html.j2``.

Why the MathML is not simply written into the Markdown: with ``HTMLExporter.embed_images = True``,
nbconvert passes every inline HTML tag of the Markdown through BeautifulSoup one tag at a time,
which closes each opening tag at once (``<math><mi>x</mi></math>`` becomes
``<math></math><mi></mi>x``). So RenderMath leaves a plain-text marker in the Markdown and keeps
the MathML in the cell's metadata, and FeedbackExporter swaps the markers for the MathML once the
Markdown is HTML.
"""

import functools
import html
import re

import jinja2
from latex2mathml.converter import convert as latex_to_mathml
from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Dict, default, validate

# Markdown that must not be touched: a fenced code block (``` or ~~~, up to its closing fence or the
# end of the cell).
_FENCED_CODE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,}).*?(?:^[ \t]*(?P=fence)[`~]*[ \t]*$|\Z)", re.M | re.S)
_LINE = r"(?:[^\n]|\n(?![ \t]*\n))"  # any character; a newline only inside a paragraph (no blank line)
# The formulas, and what to skip while looking for them (code spans, backslash escapes), in one regular
# expression, so that a `$` inside a code span or after a backslash never starts a formula. The group
# of each formula says its kind: "display_..." or "inline_...".
_MATH = re.compile(
    "|".join(
        [
            r"(?P<code>(?P<ticks>`+)(?!`)" + _LINE + r"*?(?<!`)(?P=ticks)(?!`))",  # code span
            r"\\\\\[(?P<display_bracket2>.+?)\\\\\]",  # \\[ ... \\] (Jupyter's spelling)
            r"\\\\\((?P<inline_paren2>" + _LINE + r"+?)\\\\\)",  # \\( ... \\)
            r"(?P<escape>\\[\\$`])",  # \\, \$, \`
            r"\\\[(?P<display_bracket>.+?)\\\]",  # \[ ... \]
            r"\\\((?P<inline_paren>" + _LINE + r"+?)\\\)",  # \( ... \)
            r"\$\$(?P<display_dollars>.+?)\$\$",  # $$ ... $$
            r"\$(?P<inline_dollar>(?:\\.|(?!\$)" + _LINE + r")+?)\$",  # $ ... $
            r"(?P<display_environment>\\begin\{(?P<env>[a-z]*\*?)\}.*?\\end\{(?P=env)\})",  # \begin{..}..\end{..}
        ]
    ),
    re.S,
)
# Where formula number n stood in the Markdown: letters and digits only, which Markdown leaves alone.
_MARKER = "CNNMATH{}Z"
_MARKER_RE = re.compile(r"CNNMATH(\d+)Z")
_MARKER_OR_TAG = re.compile(r"(<[^>]*>)|CNNMATH(\d+)Z")
METADATA_KEY = "cnn_math"  # cell.metadata[METADATA_KEY]: [{"tex": ..., "html": ...}, ...], formula n at n

# TeX that latex2mathml turns into MathML that browsers draw badly, and its replacement:
# \mathrel{+}= ("add into") gives two operators, drawn "+ =" with a gap; \mathrel{+=} gives one "+=".
_REWRITES = ((re.compile(r"\\mathrel\{\+\}\s*="), r"\\mathrel{+=}"),)
# latex2mathml's MathML that browsers draw differently from TeX, and its fix:
_MATHML_FIXES = (
    # \mathrel{..}, \mathbin{..}: an <mo> holding an <mrow> of <mo>s, not valid MathML (an <mo> holds
    # text), so browsers draw it badly: one <mo> holding their text.
    (
        re.compile(r"<mo((?: [^>]*)?)><mrow>((?:<mo>[^<]*</mo>)+)</mrow></mo>"),
        lambda m: f"<mo{m[1]}>" + re.sub(r"</?mo>", "", m[2]) + "</mo>",
    ),
    # "/" is an ordinary symbol in TeX (1/4 without spaces); browsers space <mo>/</mo> like an operator.
    (re.compile(r"<mo>&#x0002F;</mo>"), '<mo lspace="0em" rspace="0em">&#x0002F;</mo>'),
    # \lvert, \rvert, \lVert, \rVert have a fixed size in TeX; browsers stretch them to what they enclose.
    (re.compile(r"<mo>(&#x0007C;|&#x02016;)</mo>"), r'<mo stretchy="false">\1</mo>'),
)


@functools.lru_cache(maxsize=4096)  # every student's page has the same lesson: convert each formula once
def tex_to_mathml(tex, display=False):
    """Return the MathML of one formula (without its delimiters), on one line.

    Raises ValueError when latex2mathml cannot convert it, including a command it does not know
    (latex2mathml would print such a command as text).
    """
    control = re.search(r"[\x00-\x08\x0b-\x1f]", tex)
    if control:  # e.g. a notebook written from a Python string where "\frac" was not raw: "\f" is a form feed
        raise ValueError(f"control character {control[0]!r} in the TeX: a Python escape, like \\f of \\frac?")
    for pattern, replacement in _REWRITES:
        tex = pattern.sub(replacement, tex)
    try:
        mathml = latex_to_mathml(tex.strip(), display="block" if display else "inline")
    except Exception as error:  # latex2mathml raises many kinds of errors on bad input
        raise ValueError(f"{type(error).__name__}: {error}") from error
    for pattern, replacement in _MATHML_FIXES:
        mathml = pattern.sub(replacement, mathml)
    mathml = mathml.replace(' xmlns="http://www.w3.org/1998/Math/MathML"', "")  # implied in HTML
    unknown = re.search(r">(\\[A-Za-z]+)", mathml)
    if unknown:
        raise ValueError(f"unknown command {unknown[1]}")
    return mathml.replace("\n", " ")


def insert_formulas(page, formulas):
    """Replace the markers in HTML made from RenderMath's Markdown by their formulas.

    A marker in text becomes the formula's HTML; a marker inside a tag (an image's alt text, the
    id of a heading) becomes its TeX without spaces.
    """

    def tex(match):
        n = int(match[1])
        return html.escape(re.sub(r"\s+", "", formulas[n]["tex"])) if n < len(formulas) else match[0]

    def fill(match):
        if match[1]:  # a tag
            return _MARKER_RE.sub(tex, match[1])
        n = int(match[2])
        return formulas[n]["html"] if n < len(formulas) else match[0]

    return _MARKER_OR_TAG.sub(fill, page)


class RenderMath(Preprocessor):
    """Convert the formulas of markdown cells to MathML, so that the page needs no MathJax.

    Formulas: ``$...$``, ``\\(...\\)`` (inline), ``$$...$$``, ``\\[...\\]`` and a bare
    ``\\begin{env}...\\end{env}`` (display; the brackets with one or two backslashes). Code spans,
    fenced code blocks and the escapes ``\\$``, ``\\\\`` are left as they are. A formula that cannot
    be converted is shown as its TeX in a ``<code>`` element, with a warning in the log.

    Each formula is replaced by a marker and its HTML kept in ``cell.metadata["cnn_math"]``;
    :class:`FeedbackExporter` puts it into the page.
    """

    enabled = Bool(True, help="Whether to use this preprocessor").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        """Convert the formulas of one markdown cell."""
        if cell.cell_type == "markdown" and ("$" in cell.source or "\\" in cell.source):
            formulas = []
            where = f"{resources.get('metadata', {}).get('name', 'notebook')}, cell {index}"
            if resources.get("nbgrader", {}).get("student"):
                where += f", student {resources['nbgrader']['student']}"
            cell.source = self.render(cell.source, formulas, where=where)
            if formulas:
                cell.metadata[METADATA_KEY] = formulas
        return cell, resources

    def render(self, markdown, formulas, where="markdown"):
        """Return `markdown` with a marker for each formula, whose TeX and HTML go into `formulas`."""

        def replace(match):
            kind = match.lastgroup  # the outermost group of the alternative that matched
            if kind in ("code", "escape"):
                return match[0]
            try:
                formula = tex_to_mathml(match[kind], display=kind.startswith("display"))
            except ValueError as error:
                self.log.warning("RenderMath: %s: cannot convert %r (%s); shown as TeX", where, match[0], error)
                formula = f'<code class="tex">{html.escape(match[0])}</code>'
            formulas.append({"tex": match[0], "html": formula})
            return _MARKER.format(len(formulas) - 1)

        parts, start = [], 0
        for block in _FENCED_CODE.finditer(markdown):
            parts += [_MATH.sub(replace, markdown[start : block.start()]), block[0]]
            start = block.end()
        parts.append(_MATH.sub(replace, markdown[start:]))
        return "".join(parts)


class FeedbackHeading(Preprocessor):
    """Put the heading of the feedback page into ``resources["cnn"]``.

    ``titles`` maps an assignment id to ``{"title": ..., "note": ...}``; the page then reads
    "<title>: <score> / <max score>" followed by the note. The score comes from nbgrader's
    ``GetGrades``, which must run first. For an assignment not in ``titles`` nothing is set and the
    template keeps nbgrader's heading.
    """

    enabled = Bool(True, help="Whether to use this preprocessor").tag(config=True)
    titles = Dict(
        help='Assignment id -> {"title": "Grade", "note": "what the score means"}: the heading of its pages',
    ).tag(config=True)

    def preprocess(self, nb, resources):
        """Fill ``resources["cnn"]`` with title, note, score and max_score."""
        grades = resources.get("nbgrader", {})
        entry = self.titles.get(grades.get("assignment"))
        if entry is None:
            return nb, resources
        if "score" not in grades:
            raise ValueError("FeedbackHeading needs the score: put it after nbgrader's GetGrades")
        resources["cnn"] = {
            "title": entry.get("title", "Score"),
            "note": entry.get("note", ""),
            "score": grades["score"],
            "max_score": grades["max_score"],
        }
        return nb, resources


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled Jinja templates kept in memory for the life of the process, keyed by template file and
    checked against its source (jinja's bytecode cache): nbgrader makes a new exporter, so a new Jinja
    environment, for every student, and compiling nbconvert's and nbgrader's templates again took a
    third of each feedback page's CPU."""

    def __init__(self):
        self.compiled = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])  # dropped when the source changed

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = _CompiledTemplates()


class FeedbackExporter(HTMLExporter):
    """nbconvert's HTML exporter, which puts RenderMath's formulas into the page and finds nbgrader's template.

    Templates: nbconvert looks them up only in ``<basedir>/<name>`` for each template of the
    inheritance chain, so ``{% extends 'feedback/index.html.j2' %}`` (nbgrader's feedback page, in
    nbgrader's formgrader templates folder) would not be found. The ``extra_template_basedirs`` are
    added to the search path, last, so they shadow nothing.

    The page's template is always ``cnn_feedback``: nbgrader's API (formgrader's Generate Feedback
    button, the grading tool) sets ``HTMLExporter.template_name = "feedback"`` itself, over the
    course's configuration.
    """

    TEMPLATE = "cnn_feedback"

    @validate("template_name")
    def _template_name_validate(self, proposal):  # nbconvert's validator has this name: replace it
        if proposal["value"] == "feedback":
            proposal["value"] = self.TEMPLATE
        return super()._template_name_validate(proposal)

    @default("template_paths")
    def _template_paths(self, prune=True, root_dirs=None):
        """nbconvert's template search path, then the extra_template_basedirs themselves."""
        return [*super()._template_paths(prune, root_dirs), *self.extra_template_basedirs]

    def _create_environment(self):
        environment = super()._create_environment()
        environment.bytecode_cache = COMPILED_TEMPLATES
        return environment

    @jinja2.pass_context
    def markdown2html(self, context, source):
        """nbconvert's Markdown filter, then the cell's formulas in place of RenderMath's markers."""
        page = super().markdown2html(context, source)
        formulas = context.get("cell", {}).get("metadata", {}).get(METADATA_KEY)
        return insert_formulas(page, formulas) if formulas else page
