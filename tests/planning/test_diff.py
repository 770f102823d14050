"""The version diff is a pure function: lines matched by key; totals over rows carrying money."""

from khuyencong.planning.diff import LineFacts, diff_lines


def facts(key, amount, name="Đào tạo nghề", leaf=True, **extra):
    return LineFacts(key=key, number=key, name=name, amount=amount, leaf=leaf, **extra)


def test_added_removed_and_changed_lines_with_totals():
    before = [facts("I", 300, leaf=False), facts("1", 100), facts("2", 200), facts("3", 50)]
    after = [facts("I", 380, leaf=False), facts("1", 180), facts("2", 200), facts("4", 70, name="Hội chợ")]
    diff = diff_lines(before, after)
    assert [line.key for line in diff.added] == ["4"]
    assert [line.key for line in diff.removed] == ["3"]
    assert [(c.after.key, c.fields, c.delta) for c in diff.changed] == [("1", ("amount",), 80)]
    assert (diff.total_before, diff.total_after, diff.delta) == (350, 450, 100)
    assert diff.unchanged == 2 and not diff.is_empty


def test_group_rows_compare_their_names_not_their_sums():
    before = [facts("I", 100, leaf=False), facts("1", 100)]
    after = [facts("I", 120, name="Đào tạo, truyền nghề", leaf=False), facts("1", 120)]
    changes = {c.after.key: c.fields for c in diff_lines(before, after).changed}
    assert changes == {"I": ("name",), "1": ("amount",)}


def test_disruption_flag_and_funding_source_are_changes():
    before = [facts("1", 100, funding_source="central")]
    after = [facts("1", 100, funding_source="local", disruption="epidemic")]
    (change,) = diff_lines(before, after).changed
    assert change.fields == ("funding_source", "disruption") and change.delta == 0


def test_identical_versions_make_an_empty_diff():
    lines = [facts("1", 100), facts("2", 5)]
    diff = diff_lines(lines, list(lines))
    assert diff.is_empty and diff.delta == 0 and diff.unchanged == 2
