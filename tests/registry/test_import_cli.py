"""``khuyencong import establishments FILE [--commit] [--report OUT.xlsx] [--user USERNAME]``."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from python_calamine import CalamineWorkbook

from khuyencong.audit.models import ObjectChange
from khuyencong.cli import main
from khuyencong.registry.models import Establishment
from khuyencong.territory.models import Commune
from tests.registry.fixtures.builders import row, tax_code, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample(tmp_path, territory):
    ht = list(Commune.objects.current().filter(province__code="42").order_by("code").values_list("code", flat=True))
    rows = [
        row(ht[0], **{"Mã số thuế": tax_code(1)}),
        row(ht[1], **{"Tên cơ sở": "Cơ sở nón lá", "Mã ngoài": "HT-2"}),
        row("99999", **{"Tên cơ sở": "Sai mã xã"}),
    ]
    return write_xlsx(tmp_path / "co-so.xlsx", rows)


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_establishments", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_cli_dry_run_prints_the_counts_and_writes_the_report(capsys, sample, admin_user, tmp_path, monkeypatch):
    # run_from_argv closes every connection when done, which would end the test's transaction
    monkeypatch.setattr(connections, "close_all", lambda: None)
    report = tmp_path / "loi.xlsx"
    code = main(["import", "establishments", str(sample), "--report", str(report)])
    out = capsys.readouterr().out
    assert code == 0
    assert "Dòng 4: Không có xã/phường/đặc khu nào mang mã 99999." in out
    assert "Chạy thử, chưa ghi gì: Mới: 2, cập nhật: 0, không đổi: 0, bị từ chối: 1." in out
    assert Establishment.objects.count() == 0
    with CalamineWorkbook.from_path(str(report)) as workbook:
        table = workbook.get_sheet_by_index(0).to_python()
    assert table[0][0] == "Dòng" and table[1][0] == 4.0 and len(table) == 2


def test_cli_commit_writes_and_logs_as_the_user(sample, hatinh_officer):
    changes = ObjectChange.objects.count()
    out = run("establishments", str(sample), "--commit", "--user", "hatinh")
    assert "Đã nhập: Mới: 2, cập nhật: 0, không đổi: 0, bị từ chối: 1." in out
    assert Establishment.objects.count() == 2
    assert ObjectChange.objects.count() == changes + 2
    assert set(ObjectChange.objects.values_list("user_name", flat=True)) >= {"hatinh"}
    assert "không đổi: 2" in run("establishments", str(sample), "--commit", "--user", "hatinh")


def test_cli_applies_the_users_scope(sample, nghean_officer):
    out = run("establishments", str(sample), "--commit", "--user", "nghean")
    assert "nằm ngoài phạm vi phụ trách của bạn" in out and "bị từ chối: 3" in out
    assert Establishment.objects.count() == 0


def test_cli_needs_a_superuser_or_a_user(sample, hatinh_officer, implementer):
    with pytest.raises(CommandError, match="superuser"):
        run("establishments", str(sample))
    with pytest.raises(CommandError, match="may not add establishments"):
        run("establishments", str(sample), "--user", "implementer")
    with pytest.raises(CommandError, match="No active user"):
        run("establishments", str(sample), "--user", "nobody")


def test_cli_file_errors_fail(tmp_path, admin_user):
    bad = tmp_path / "sai.xlsx"
    bad.write_bytes(b"%PDF-1.4")
    with pytest.raises(CommandError, match="Không nhập được tệp"):
        run("establishments", str(bad))
    with pytest.raises(CommandError, match="No such file"):
        run("establishments", str(tmp_path / "khong-co.xlsx"))


def test_cli_messages_in_english(sample, admin_user):
    out = run("establishments", str(sample), "--language", "en")
    assert "Row 4: Unknown commune code 99999." in out
