"""Ruled table grids by pdfplumber's table finder (lines strategy), on ruled pages only.

pdfplumber's own page layout pass is slow (~100 ms a page), so its grid algorithm is fed the
ruling lines pypdfium2 already read, and only on pages with horizontal and vertical rules. Only
the grid geometry is taken (table box, row bands, column edges); the words placed into the cells
stay pypdfium2's, so cell texts agree character for character with the rest of the body text.
"""

from __future__ import annotations

from dataclasses import dataclass

from fsfdocs.parse.pdf_text import Rule

# Tolerances in points: ruling lines this close are one line; gaps this small are closed.
TABLE_SETTINGS = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "intersection_tolerance": 3,
    "edge_min_length": 3,
}


@dataclass
class Grid:
    """One separately ruled table grid on a page (points, origin top-left)."""

    x0: float
    top: float
    x1: float
    bottom: float
    rows: list[tuple[float, float]]  # (top, bottom) of each row band, top to bottom
    col_edges: list[float]  # x of the vertical rules, left to right (n_cols + 1 values)

    @property
    def columns(self) -> list[tuple[float, float]]:
        return list(zip(self.col_edges, self.col_edges[1:], strict=False))

    def row_of(self, y: float) -> int | None:
        """The row band holding height ``y``, or None outside the grid."""
        for i, (top, bottom) in enumerate(self.rows):
            if top - 0.5 <= y <= bottom + 0.5:
                return i
        return None

    def col_of(self, x: float) -> int:
        """The column holding ``x`` (the nearest one when outside)."""
        for i, (a, b) in enumerate(self.columns):
            if a <= x <= b:
                return i
        return 0 if x < self.col_edges[0] else len(self.col_edges) - 2


def has_grid_rules(rules: list[Rule]) -> bool:
    """Whether a page has enough horizontal and vertical rules to hold a ruled grid."""
    h = sum(r.horizontal for r in rules)
    v = sum(r.vertical for r in rules)
    return h >= 2 and v >= 2


def _merge_edges(xs: list[float], tol: float = 2.0) -> list[float]:
    out: list[float] = []
    for x in sorted(xs):
        if not out or x - out[-1] > tol:
            out.append(x)
    return out


def _edges(rules: list[Rule]) -> list[dict]:
    """pypdfium2 ruling lines as pdfplumber edges (centre lines of thin rectangles)."""
    edges = []
    for r in rules:
        if r.horizontal:
            y = (r.top + r.bottom) / 2
            edges.append({"x0": r.x0, "x1": r.x1, "top": y, "bottom": y, "width": r.x1 - r.x0,
                          "height": 0.0, "orientation": "h"})
        elif r.vertical:
            x = (r.x0 + r.x1) / 2
            edges.append({"x0": x, "x1": x, "top": r.top, "bottom": r.bottom, "width": 0.0,
                          "height": r.bottom - r.top, "orientation": "v"})
    return edges


def find_grids(rules: list[Rule]) -> list[Grid]:
    """The ruled grids a page's ruling lines form, top to bottom.

    This is pdfplumber's ``find_tables`` lines strategy (snap and join the edges, intersect
    them, close cells, group touching cells into tables) run on pypdfium2's ruling lines, so the
    page is not laid out a second time by pdfminer. Grids with fewer than two columns or one
    row (frames, boxes) are left out.
    """
    from pdfplumber import table as pt  # imported here: only ruled pages pay for it
    from pdfplumber.utils import filter_edges

    tol = TABLE_SETTINGS
    edges = pt.merge_edges(_edges(rules), tol["snap_tolerance"], tol["snap_tolerance"],
                           tol["join_tolerance"], tol["join_tolerance"])
    edges = filter_edges(edges, min_length=tol["edge_min_length"])
    points = pt.edges_to_intersections(
        edges, tol["intersection_tolerance"], tol["intersection_tolerance"]
    )
    grids = []
    for cells in pt.cells_to_tables(pt.intersections_to_cells(points)):
        edges_x = _merge_edges([c[0] for c in cells] + [c[2] for c in cells])
        tops = _merge_edges([c[1] for c in cells])
        rows = []
        for top in tops:
            bottoms = [c[3] for c in cells if abs(c[1] - top) <= 2.0]
            rows.append((top, min(bottoms)))
        if len(edges_x) < 3 or len(rows) < 2:
            continue
        x0 = min(c[0] for c in cells)
        x1 = max(c[2] for c in cells)
        grids.append(Grid(x0, rows[0][0], x1, max(c[3] for c in cells), rows, edges_x))
    return sorted(grids, key=lambda g: g.top)
