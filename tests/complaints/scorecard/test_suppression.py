"""The small-count rule on its own: counts below 5 hidden, and never the only hidden count of a sum."""

import random

from complaints.scorecard.suppression import Relation, Table, shown_values, suppress


def _table(values: dict[str, dict[str, int]], relations: list[tuple], free=lambda scope: False) -> Table:
    return Table(
        values=values, relations=[Relation(total, members) for total, members in relations], free=free
    )


def _visible(table: Table) -> dict[str, dict[str, int]]:
    return shown_values(table, suppress(table), table.values)


def test_a_count_below_five_is_hidden_and_one_of_five_or_more_is_shown():
    table = _table({"n": {"a": 4, "b": 5, "c": 0}}, [])
    assert _visible(table) == {"n": {"b": 5}}


def test_a_small_count_whose_total_is_shown_takes_a_second_cell_with_it():
    # 3 discrimination complaints among 20: the total minus the others would give the 3 back.
    table = _table(
        {"n": {"kind": 20, "delay": 11, "bribe": 6, "discrimination": 3}},
        [(("n", "kind"), [("n", "delay"), ("n", "bribe"), ("n", "discrimination")])],
    )
    hidden = suppress(table)
    assert hidden == {("n", "bribe")}  # the smallest shown cell goes with it
    assert _visible(table) == {"n": {"kind": 20, "delay": 11}}


def test_a_hidden_zero_needs_no_complement():
    table = _table(
        {"n": {"kind": 20, "delay": 14, "bribe": 6}},
        [(("n", "kind"), [("n", "delay"), ("n", "bribe"), ("n", "discrimination")])],
    )
    assert suppress(table) == set()


def test_two_small_counts_protect_each_other():
    table = _table(
        {"n": {"kind": 20, "delay": 13, "bribe": 4, "discrimination": 3}},
        [(("n", "kind"), [("n", "delay"), ("n", "bribe"), ("n", "discrimination")])],
    )
    assert suppress(table) == set()


def test_a_cell_no_page_shows_is_the_complement_of_choice():
    table = _table(
        {"p": {"n": 30}, "r1": {"n": 3}, "r2": {"n": 20}, "x:p": {"n": 7}},
        [(("p", "n"), [("r1", "n"), ("r2", "n"), ("x:p", "n")])],
        free=lambda scope: scope.startswith("x:"),
    )
    assert suppress(table) == {("x:p", "n")}  # not r2, although x:p holds more


def test_the_complement_that_leaves_no_other_sum_with_one_hidden_count_is_chosen():
    # A province's kinds: "ham" (3) is small. Hiding its maladministration (9) would leave the
    # country's maladministration (the provinces' sum) with one hidden count; hiding the
    # province's total (12), which no other sum here holds, costs nothing more.
    values = {"n": {"mal": 29}, "p1": {"all": 12, "mal": 9, "ham": 3}, "p2": {"mal": 20}}
    relations = [
        (("p1", "all"), [("p1", "mal"), ("p1", "ham")]),
        (("n", "mal"), [("p1", "mal"), ("p2", "mal")]),
    ]
    assert suppress(_table(values, relations)) == {("p1", "all")}


def test_a_complement_that_leaves_another_sum_with_one_hidden_count_hides_again():
    # Provinces by kind, with the country's row and column: 3 HAM complaints in all, all in p1.
    values = {
        "n": {"all": 32, "mal": 29, "ham": 3},
        "p1": {"all": 12, "mal": 9, "ham": 3},
        "p2": {"all": 20, "mal": 20},
    }
    relations = [
        *[((s, "all"), [(s, "mal"), (s, "ham")]) for s in ("n", "p1", "p2")],
        *[(("n", k), [("p1", k), ("p2", k)]) for k in ("all", "mal", "ham")],
    ]
    table = _table(values, relations)
    assert suppress(table) == {("n", "mal"), ("p1", "mal")}
    assert _visible(table) == {"n": {"all": 32}, "p1": {"all": 12}, "p2": {"all": 20, "mal": 20}}


def test_no_sum_ever_has_exactly_one_hidden_count_of_complaints():
    rng = random.Random(15)
    for _round in range(200):
        scopes = [f"s{i}" for i in range(rng.randint(1, 6))]
        keys = [f"k{i}" for i in range(rng.randint(2, 6))]
        values = {s: {k: rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 20]) for k in keys[1:]} for s in scopes}
        for s in scopes:
            values[s][keys[0]] = sum(values[s][k] for k in keys[1:])  # keys[0] is each scope's total
        values["all"] = {k: sum(values[s][k] for s in scopes) for k in keys}
        relations = [((s, keys[0]), [(s, k) for k in keys[1:]]) for s in [*scopes, "all"]]
        relations += [(("all", k), [(s, k) for s in scopes]) for k in keys]
        table = _table(values, relations)
        hidden = suppress(table)
        for relation in table.relations:
            cells = [relation.total, *relation.members]
            unknown = [c for c in cells if (c in hidden or table.value(c) < 5) and table.value(c) > 0]
            assert len(unknown) != 1, (values, relation)
