"""The published HTML: nbconvert's exporter with the offline, code-free template, and the offline check.

The exporter is built once per process (template loading costs about a second)
and can be warmed in a thread while a kernel works (:func:`warm_exporter`).
"""

from __future__ import annotations

import re

from peo_lib.errors import ReportError
from peo_lib.paths import TEMPLATE_DIR

__all__ = ["TEMPLATE_NAME", "check_offline_html", "export_html", "warm_exporter"]

TEMPLATE_NAME = "peo"

_EXTERNAL = re.compile(
    r"""(?:\b(?:src|href|action|poster|data|srcset)\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:@import\s+(?:url\()?\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)""",
    re.IGNORECASE,
)


def check_offline_html(text: str) -> list[str]:
    """Places where an HTML page would load something from the network.

    Looks for ``src=``/``href=``/``srcset=``/``data=``/``action=``/``poster=``
    attributes, ``@import`` and CSS ``url(...)`` pointing at ``http://``,
    ``https://`` or ``//``. Returns short excerpts (empty list = offline).
    """
    return [text[max(0, m.start() - 30): m.end() + 40] for m in _EXTERNAL.finditer(text)]


_EXPORTER = None


def _exporter():
    global _EXPORTER
    if _EXPORTER is None:
        from nbconvert import HTMLExporter
        from traitlets.config import Config

        _EXPORTER = HTMLExporter(
            # no code is shown: pygments' ~80 lines of CSS are not needed
            config=Config({"CSSHTMLHeaderPreprocessor": {"enabled": False}}),
            template_name=TEMPLATE_NAME,
            extra_template_basedirs=[str(TEMPLATE_DIR)],
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            embed_images=True,
        )
    return _EXPORTER


def warm_exporter():
    """Import nbconvert and load the template (run in a thread while the kernel works)."""
    try:
        import nbformat

        _exporter().from_notebook_node(nbformat.v4.new_notebook())
    except Exception:  # noqa: BLE001 - the real export reports any problem
        pass


def export_html(nb, *, title=None) -> str:
    """The code-free, offline HTML of an executed notebook (template ``peo_lib/templates/peo``).

    Parameters
    ----------
    nb : NotebookNode
    title : str, optional
        The page title (default: the notebook's metadata title).

    Returns
    -------
    str

    Raises
    ------
    ReportError
        The page would reference an external URL (:func:`check_offline_html`).
    """
    import copy

    nb = copy.deepcopy(nb)
    if title:
        nb.metadata["title"] = title
    body, _ = _exporter().from_notebook_node(nb, resources={"language_code": "nl"})
    body = body.replace('<html lang="en">', '<html lang="nl">')
    bad = check_offline_html(body)
    if bad:
        raise ReportError(f"the HTML would load {len(bad)} external resource(s), e.g. {bad[0]!r}; "
                          "an output must not reference a URL (see peo_lib/templates/peo)")
    return body
