"""attach / remove_attachment: permission and reach of the owner, the file's checks, versions, and
nothing half-written on any refusal."""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import IntegrityError

from khuyencong.attachments import actions
from khuyencong.attachments.models import Attachment
from khuyencong.attachments.selectors import attachment_for_download, attachments_of
from khuyencong.kernel.lifecycle import ActionRefused
from tests.attachments.conftest import EXE, PDF, office, stored_files, upload
from tests.registry.factories import make_establishment


@pytest.fixture
def hatinh_est(territory):
    return make_establishment("42")


@pytest.fixture
def nghean_est(territory):
    return make_establishment("40")


def refused(code, fn, **kwargs):
    with pytest.raises(ActionRefused) as exc:
        fn(**kwargs)
    assert exc.value.code == code, exc.value.code
    return exc.value


def test_a_pdf_is_stored_outside_the_web_root_under_a_name_of_its_own(hatinh_officer, hatinh_est, files_dir):
    a = actions.attach(user=hatinh_officer, owner=hatinh_est, slot="business_registration",
                       upload=upload("../Giấy chứng nhận ĐKKD.pdf"), title="GCN ĐKKD")  # fmt: skip
    assert (a.version, a.original_name, a.content_type, a.size) == (1, "Giấy chứng nhận ĐKKD.pdf", "application/pdf",
                                                                    len(PDF))  # fmt: skip
    import hashlib

    assert a.sha256 == hashlib.sha256(PDF).hexdigest() and a.uploaded_by == hatinh_officer
    path = (Path(settings.KC_FILES_DIR) / a.path).resolve()
    assert path.read_bytes() == PDF
    assert "Giấy" not in a.path and a.path.endswith(".pdf")
    static = Path(settings.STATIC_ROOT).resolve()
    assert static not in path.parents and "static" not in path.parts
    assert stored_files(files_dir) == [path]


def test_a_word_document_and_a_workbook_are_accepted(hatinh_officer, hatinh_est):
    doc = actions.attach(user=hatinh_officer, owner=hatinh_est, slot="other",
                         upload=upload("to-trinh.docx", office("word/")))  # fmt: skip
    assert doc.content_type.endswith("wordprocessingml.document")
    book = actions.attach(user=hatinh_officer, owner=hatinh_est, slot="other",
                          upload=upload("du-toan.xlsx", office("xl/")))  # fmt: skip
    assert book.version == 2


@pytest.mark.parametrize(
    "name, data, code",
    [
        ("hop-dong.pdf", EXE, "forbidden_type"),  # a renamed program
        ("setup.exe", EXE, "forbidden_type"),
        ("bang-tinh.xlsx", office("word/"), "forbidden_type"),  # a Word file dressed as a workbook
        ("rong.pdf", b"", "empty_file"),
    ],
)
def test_bad_files_are_refused_and_leave_nothing(hatinh_officer, hatinh_est, files_dir, name, data, code):
    error = refused(
        code, actions.attach, user=hatinh_officer, owner=hatinh_est, slot="other", upload=upload(name, data)
    )
    assert error.status == 422 and error.field == "file"
    assert Attachment.objects.count() == 0 and stored_files(files_dir) == []


def test_too_large_is_refused_with_the_limit(hatinh_officer, hatinh_est, files_dir, settings):
    settings.KC_ATTACHMENT_MAX_BYTES = 50
    error = refused("too_large", actions.attach, user=hatinh_officer, owner=hatinh_est, slot="other",
                    upload=upload("a.pdf", PDF))  # fmt: skip
    assert "50 B" in error.message
    assert Attachment.objects.count() == 0 and stored_files(files_dir) == []


def test_a_type_left_out_of_the_setting_is_refused(hatinh_officer, hatinh_est, settings):
    settings.KC_ATTACHMENT_TYPES = ["pdf"]
    refused("forbidden_type", actions.attach, user=hatinh_officer, owner=hatinh_est, slot="other",
            upload=upload("a.docx", office("word/")))  # fmt: skip


def test_uploading_again_makes_a_new_version_and_keeps_the_old(hatinh_officer, hatinh_est):
    first = actions.attach(user=hatinh_officer, owner=hatinh_est, slot="business_registration", upload=upload("v1.pdf"))
    second = actions.attach(user=hatinh_officer, owner=hatinh_est, slot="business_registration",
                            upload=upload("v2.pdf"))  # fmt: skip
    other = actions.attach(user=hatinh_officer, owner=hatinh_est, slot="other", upload=upload("x.pdf"))
    assert (first.version, second.version, other.version) == (1, 2, 1)
    groups = {g.code: g for g in attachments_of(hatinh_est, user=hatinh_officer)}
    assert groups["business_registration"].latest == second
    assert groups["business_registration"].earlier == [first]
    assert first.path != second.path


def test_no_permission_is_403_and_out_of_reach_404(people, hatinh_est, nghean_est, files_dir):
    refused("forbidden", actions.attach, user=people["outsider"], owner=hatinh_est, slot="other", upload=upload())
    refused("forbidden", actions.attach, user=people["implementer"], owner=hatinh_est, slot="other", upload=upload())
    refused("not_found", actions.attach, user=people["hatinh"], owner=nghean_est, slot="other", upload=upload())
    refused("invalid_slot", actions.attach, user=people["hatinh"], owner=hatinh_est, slot="Bad slot", upload=upload())
    assert Attachment.objects.count() == 0 and stored_files(files_dir) == []


def test_a_model_not_registered_takes_no_documents(hatinh_officer, territory):
    from khuyencong.organisation.models import OrgUnit

    refused("not_attachable", actions.attach, user=hatinh_officer, owner=OrgUnit.objects.get(code="SCT-42"),
            slot="other", upload=upload())  # fmt: skip


def test_a_failed_database_write_removes_the_file(hatinh_officer, hatinh_est, files_dir, monkeypatch):
    def boom(*args, **kwargs):
        raise IntegrityError("simulated")

    monkeypatch.setattr(Attachment.objects, "create", boom)
    refused("conflict", actions.attach, user=hatinh_officer, owner=hatinh_est, slot="other", upload=upload())
    assert stored_files(files_dir) == []


def test_removing_keeps_the_row_and_brings_back_the_previous_version(people, hatinh_est):
    first = actions.attach(user=people["hatinh"], owner=hatinh_est, slot="other", upload=upload("a.pdf"))
    second = actions.attach(user=people["agency"], owner=hatinh_est, slot="other", upload=upload("b.pdf"))
    refused("not_latest", actions.remove_attachment, user=people["hatinh"], attachment=first)
    refused("forbidden", actions.remove_attachment, user=people["implementer"], attachment=second)
    refused("not_found", actions.remove_attachment, user=people["nghean"], attachment=second)
    removed = actions.remove_attachment(user=people["hatinh"], attachment=second)
    assert removed.removed_at and removed.removed_by == people["hatinh"]
    refused("already_removed", actions.remove_attachment, user=people["hatinh"], attachment=second)
    group = {g.code: g for g in attachments_of(hatinh_est, user=people["hatinh"])}["other"]
    assert group.latest == first and [a.pk for a in group.earlier] == [second.pk]
    assert Attachment.objects.count() == 2
    # a removed version is still on record for those who read the owner
    assert attachment_for_download(user=people["hatinh"], pk=second.pk) == second


def test_the_uploader_may_remove_their_own_latest_version(people, hatinh_est, django_user_model):
    from khuyencong.organisation.models import OrgUnit, Role
    from khuyencong.organisation.services import assign_role

    a = actions.attach(user=people["hatinh"], owner=hatinh_est, slot="other", upload=upload())
    # a finance officer reads the province's establishments but does not change them
    viewer = django_user_model.objects.create_user(username="xem", password="x")
    assign_role(user=viewer, role=Role.PROVINCIAL_FINANCE, org_unit=OrgUnit.objects.get(code="STC-42"))
    refused("forbidden", actions.remove_attachment, user=viewer, attachment=a)
    Attachment.objects.filter(pk=a.pk).update(uploaded_by=viewer)  # as if they had uploaded it
    a.refresh_from_db()
    assert actions.remove_attachment(user=viewer, attachment=a).removed


def test_downloads_follow_the_owner(people, hatinh_est):
    a = actions.attach(user=people["hatinh"], owner=hatinh_est, slot="other", upload=upload())
    b = actions.attach(user=people["hatinh"], owner=hatinh_est, slot="other", upload=upload())
    assert attachment_for_download(user=people["implementer"], pk=a.pk) == a
    assert attachment_for_download(user=people["implementer"], pk=b.pk, version=1) == a
    refused("not_found", attachment_for_download, user=people["implementer"], pk=a.pk, version=9)
    refused("not_found", attachment_for_download, user=people["nghean"], pk=a.pk)
    refused("forbidden", attachment_for_download, user=people["outsider"], pk=a.pk)
    refused("not_found", attachment_for_download, user=people["hatinh"], pk=10**9)


def test_changes_are_logged(people, hatinh_est):
    from django.contrib.contenttypes.models import ContentType

    from khuyencong.audit.models import ObjectChange

    a = actions.attach(user=people["hatinh"], owner=hatinh_est, slot="other", upload=upload())
    ct = ContentType.objects.get_for_model(Attachment)
    assert ObjectChange.objects.filter(content_type=ct, object_id=str(a.pk), action="create").exists()


def test_files_left_by_a_rolled_back_caller_are_swept(hatinh_officer, hatinh_est, files_dir):
    import datetime as dt
    import io
    import os

    from django.core.management import call_command
    from django.db import transaction

    kept = actions.attach(user=hatinh_officer, owner=hatinh_est, slot="other", upload=upload())
    with pytest.raises(RuntimeError), transaction.atomic():  # a caller's transaction that fails after attach
        actions.attach(user=hatinh_officer, owner=hatinh_est, slot="other", upload=upload())
        raise RuntimeError("the caller's own step failed")
    assert len(stored_files(files_dir)) == 2
    old = (dt.datetime.now() - dt.timedelta(days=2)).timestamp()
    for path in stored_files(files_dir):
        os.utime(path, (old, old))
    call_command("kc_sweep_files", stdout=io.StringIO())  # lists only
    assert len(stored_files(files_dir)) == 2
    call_command("kc_sweep_files", "--delete", stdout=io.StringIO())
    assert stored_files(files_dir) == [files_dir / kept.path]
