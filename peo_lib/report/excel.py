"""Writing the report's suppressed tables to ``tabellen.xlsx`` (openpyxl)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from peo_lib.report.structure import Paragraph
from peo_lib.vocab import TABLES_XLSX

__all__ = ["write_tables", "SavesTables"]

# ----------------------------------------------------------------------
# Excel
# ----------------------------------------------------------------------

def _for_excel(df: pd.DataFrame, *, small: str, hide_cols, hidden_col="suppressed") -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype(object)
    if hidden_col in out:
        mask = out[hidden_col].astype(bool).to_numpy()
        for c in hide_cols:
            if c in out:
                col = out[c].astype(object)
                col[mask] = small
                out[c] = col
    for c in hide_cols:  # NaN counts hidden by a mask of their own (n1/n2)
        if c in out and c in ("n1", "n2"):
            out[c] = out[c].astype(object).where(out[c].notna(), small)
    return out


#: First characters that make Excel (or LibreOffice) read a cell as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _as_text(cell) -> None:
    """Store a string cell as text, never as a formula: an open answer or a label from an export may
    start with ``=`` (``=HYPERLINK(...)``); openpyxl would otherwise write it as a live formula."""
    cell.data_type = "s"
    if cell.value.startswith(_FORMULA_START):
        cell.quotePrefix = True  # Excel shows the text as typed and does not re-evaluate it on edit


def _text_width(column: pd.Series) -> int:
    """The 90th percentile of the text lengths in a column; 10 for a column that is empty (all missing)."""
    lengths = [len(str(v)) for v in column if v is not None and v == v]
    return int(np.quantile(lengths, 0.9)) if lengths else 10


def write_tables(path, sheets: dict, *, small: str) -> Path:
    """Write suppressed tables to one workbook (openpyxl), hidden cells as ``n<5``.

    Parameters
    ----------
    path : str or Path
        ``.../tabellen.xlsx``.
    sheets : dict
        Sheet name -> (DataFrame, list of columns to show as ``n<5`` where
        ``suppressed``).
    small : str
        The label of hidden cells.

    Returns
    -------
    Path
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    for name, (df, hide_cols) in sheets.items():
        ws = wb.create_sheet(title=re.sub(r"[\[\]:*?/\\]", "-", name)[:31])
        out = _for_excel(df, small=small, hide_cols=hide_cols)
        ws.append([str(c) for c in out.columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
            _as_text(cell)
        for rec in out.itertuples(index=False):
            row = []
            for v in rec:
                if isinstance(v, (np.floating, float)):
                    v = None if np.isnan(v) else float(v)
                elif isinstance(v, (np.integer,)):
                    v = int(v)
                elif isinstance(v, (np.bool_,)):
                    v = bool(v)
                elif isinstance(v, (dict, list, tuple)):
                    v = str(v)
                row.append(v)
            ws.append(row)
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str):
                    _as_text(cell)
        for j, c in enumerate(out.columns, start=1):
            kind = out[c].dtype
            letter = get_column_letter(j)
            width = min(60, max(10, len(str(c)) + 2))
            if kind == object or pd.api.types.is_string_dtype(kind):
                width = min(70, max(width, _text_width(out[c]) + 2))
            ws.column_dimensions[letter].width = width
            if pd.api.types.is_float_dtype(kind):
                for cell in ws[letter][1:]:
                    cell.number_format = "0.00"
        ws.freeze_panes = "A2"
    path = Path(path)
    wb.save(path)
    return path


class SavesTables:
    """``save_tables`` for a report with ``out_dir``, ``small`` and ``excel_sheets()``."""

    def save_tables(self):
        """Write ``tabellen.xlsx`` (every table of the report, suppressed) to ``out_dir``."""
        if self.out_dir is None:
            return Paragraph("Geen uitvoermap opgegeven: tabellen niet opgeslagen.", "note")
        self.out_dir.mkdir(parents=True, exist_ok=True)
        sheets = self.excel_sheets()
        path = write_tables(self.out_dir / TABLES_XLSX, sheets, small=self.small)
        return Paragraph(f"Alle tabellen staan ook in {path.name} (werkbladen: {', '.join(sheets)}).", "note")
