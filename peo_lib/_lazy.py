"""Lazy public names for packages (PEP 562), so importing a package stays cheap.

``__getattr__, __dir__, __all__ = attach(__name__, {"name": "submodule", ...})`` in a
package's ``__init__``: a name is imported from its submodule on first use.
"""

from __future__ import annotations

import importlib

__all__ = ["attach"]


def attach(package: str, names: dict, *, submodules=()):
    """Return ``(__getattr__, __dir__, __all__)`` for ``package``.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    names : dict
        Public name -> submodule (relative, e.g. ``"data.rounds"``) that defines it.
    submodules : iterable of str
        Submodules that are attributes themselves (``report.plots``).
    """
    names = dict(names)
    submodules = tuple(submodules)

    def __getattr__(name):
        if name in submodules:
            return importlib.import_module(f"{package}.{name}")
        if name in names:
            value = getattr(importlib.import_module(f"{package}.{names[name]}"), name)
            setattr(importlib.import_module(package), name, value)
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__():
        return sorted(set(vars(importlib.import_module(package))) | set(names) | set(submodules))

    return __getattr__, __dir__, sorted(names)
