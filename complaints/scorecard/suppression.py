"""Small counts held back, and the figures that would give them away (docs/domain.md#public-scorecard).

The scorecard's counts form one table of cells, a cell being (scope, key): a scope is the
country, a province, a regency or an agency, a key one figure ("kind:ham", "month:2026-03").
Many cells are sums of others, on one page or across pages: the complaints received are the sum
of their kinds, of their states, of their months; a province's are the sum of its regencies'.
Each such sum is a *relation* (total, members).

1. Primary suppression: every cell below THRESHOLD (0 to 4) is hidden ("< 5").
2. Complementary suppression: a relation in which exactly one hidden cell holds complaints (1 to
   4 of them, or a count hidden in step 2) would give that cell back (the total minus the
   others), so another of its cells is hidden too: a cell never shown (a pseudo-scope, below)
   if the relation has one, else one of its smallest shown cells, the one that leaves the fewest
   other relations with a single hidden count. Hiding it may still leave another relation with
   one, so this repeats until no relation has exactly one.

A hidden count of complaints is therefore never the only unknown of any sum published: no sum
gives it back on its own. This is the usual rule of statistical offices, not a proof: it does
not solve every sum at once (linear programming over the whole table), so a reader who combines
several sums can narrow a hidden count, most often to a range. A hidden zero names nobody: it needs no complement, and it is
no complement for another hidden count either (a reader who works out that the unknowns of a sum
add up to nothing learns only that nobody is there).

Pseudo-scopes hold the complaints no page shows on their own (no regency given, no listed
agency). Their cells are derivable from the pages (a province minus its regencies), so they
take part like any other cell, but hiding one costs the reader nothing: they are the
complement of choice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

THRESHOLD = 5

Cell = tuple[str, str]  # (scope, key)


@dataclass
class Relation:
    """total = sum(members)."""

    total: Cell
    members: list[Cell]


@dataclass
class Table:
    values: Mapping[str, Mapping[str, int]]  # scope → key → count (a missing key is 0)
    relations: list[Relation] = field(default_factory=list)
    free: Callable[[str], bool] = lambda scope: False  # scopes that are never shown

    def value(self, cell: Cell) -> int:
        return self.values.get(cell[0], {}).get(cell[1], 0)


LOOKAHEAD = 8  # how many of a sum's smallest shown cells are weighed as its complement


def suppress(table: Table, *, threshold: int = THRESHOLD) -> set[Cell]:
    """The cells hidden by complementary suppression (the ones below the threshold are hidden as
    well, and not listed). A cell is shown when ``value >= threshold`` and it is not returned.

    The complement of a sum is a cell never shown if it has one; else, of its LOOKAHEAD smallest
    shown cells, the one whose hiding leaves the fewest other sums with a single hidden count (each
    of those would cost one more hidden cell), then the smallest."""
    hidden: set[Cell] = set()
    relations_of: dict[Cell, list[Relation]] = {}
    for relation in table.relations:
        for cell in (relation.total, *relation.members):
            relations_of.setdefault(cell, []).append(relation)

    def is_hidden(cell: Cell) -> bool:
        return cell in hidden or table.value(cell) < threshold

    def unknowns(relation: Relation, *, stop: int = 2) -> int:
        """Hidden cells that hold complaints, counted up to ``stop``."""
        count = 0
        for cell in (relation.total, *relation.members):
            if table.value(cell) > 0 and is_hidden(cell):
                count += 1
                if count >= stop:
                    break
        return count

    def cascade(cell: Cell, relation: Relation) -> int:
        """How many other sums hiding ``cell`` would leave with exactly one hidden count."""
        return sum(
            1
            for other in relations_of.get(cell, ())
            if other is not relation and unknowns(other, stop=1) == 0
        )

    changed = True
    while changed:
        changed = False
        for relation in table.relations:
            unknown = 0  # hidden cells that hold complaints
            shown: list[Cell] = []
            for cell in (relation.total, *relation.members):
                if is_hidden(cell):
                    if table.value(cell) > 0:
                        unknown += 1
                        if unknown > 1:
                            break
                else:
                    shown.append(cell)
            if unknown != 1 or not shown:
                continue
            free = [cell for cell in shown if table.free(cell[0])]
            if free:
                pick = min(free, key=lambda cell: (table.value(cell), cell))
            else:
                smallest = sorted(shown, key=lambda cell: (table.value(cell), cell))[:LOOKAHEAD]
                pick = min(smallest, key=lambda cell: (cascade(cell, relation), table.value(cell), cell))
            hidden.add(pick)
            changed = True
    return hidden


def shown_values(table: Table, hidden: set[Cell], scopes: Iterable[str], *, threshold: int = THRESHOLD):
    """scope → {key: count} of the cells that may be shown, for the given scopes."""
    return {
        scope: {
            key: n
            for key, n in table.values.get(scope, {}).items()
            if n >= threshold and (scope, key) not in hidden
        }
        for scope in scopes
    }
