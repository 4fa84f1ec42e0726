"""The published HTML: nbconvert's exporter with the offline, code-free template, and the offline check.

The exporter is built once per process (template loading costs about a second)
and can be warmed in a thread while a kernel works (:func:`warm_exporter`).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from peo_lib.errors import ReportError
from peo_lib.paths import TEMPLATE_DIR

__all__ = ["TEMPLATE_NAME", "check_offline_html", "export_html", "warm_exporter"]

TEMPLATE_NAME = "peo"

#: Attributes whose value the browser fetches (an ``<a href>`` is a link, not a load).
_LOAD_ATTRS = frozenset({"src", "srcset", "data", "poster", "background", "codebase", "archive", "longdesc",
                         "manifest", "ping", "xlink:href", "formaction", "imagesrcset"})
#: Elements whose ``href`` the browser fetches.
_HREF_LOADS = frozenset({"link", "image", "use", "base", "feimage", "script"})
_NETWORK = re.compile(r"^\s*(?:(?:https?|ftp|wss?):|//)", re.IGNORECASE)
_CSS_URL = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])\s*((?:(?:https?|ftp):)?//[^"')\s]*)""", re.IGNORECASE)


class _LoadFinder(HTMLParser):
    """Collects what a page would fetch: loading attributes, CSS ``url()``/``@import``, meta refresh.

    Text is never inspected: an open answer that reads ``<img src=//x>`` arrives
    escaped (``&lt;img ...``) and is text, not a tag, so it cannot stop a round.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def _url(self, value: str, where: str):
        value = (value or "").replace("\\", "/")
        if _NETWORK.match(value):
            self.found.append(f"{where}={value[:80]}")

    def handle_starttag(self, tag, attrs):
        self._in_style = tag == "style"
        for name, value in attrs:
            name = name.lower()
            if name in ("srcset", "imagesrcset"):
                for part in (value or "").split(","):
                    self._url(part.strip().split(" ")[0], f"<{tag} {name}")
            elif name in _LOAD_ATTRS or (name == "href" and tag in _HREF_LOADS):
                self._url(value, f"<{tag} {name}")
            elif name == "style":
                self.found.extend(f"<{tag} style> {m}" for m in _CSS_URL.findall(value or ""))
            elif name == "content" and tag == "meta" and "url=" in (value or "").lower():
                self._url(value.lower().split("url=", 1)[1].strip(" '\""), "<meta refresh")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.found.extend(f"<style> {m}" for m in _CSS_URL.findall(data))


def check_offline_html(text: str) -> list[str]:
    """What an HTML page would load from the network, found in the parsed page (not in its text).

    Looks at attributes that load something (``src``, ``srcset``, ``data``, ``poster``, ``href``
    of ``<link>``/``<script>``/SVG ``<image>``/``<use>``, ...), CSS ``url(...)`` and ``@import`` in
    ``<style>`` and ``style=`` attributes, and ``<meta http-equiv=refresh>``, pointing at ``http://``,
    ``https://``, ``ftp://``, ``ws://`` or ``//``. Escaped text (an open answer that mentions
    ``<img src=//...>``) is text and passes. Returns short descriptions (empty list = offline).
    """
    finder = _LoadFinder()
    finder.feed(text)
    finder.close()
    return finder.found


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
