"""One rule for "jobs this user may see", used by the jobs pages and the import pages."""

import pytest
from django.contrib.auth.models import AnonymousUser

from khuyencong.jobs.models import Job
from khuyencong.jobs.selectors import visible_jobs

pytestmark = pytest.mark.django_db


def test_owner_sees_own_jobs_admin_sees_all_others_none(hatinh_officer, nghean_officer, admin_user):
    mine = Job.objects.create(kind="tests.count", title="Của Hà Tĩnh", owner=hatinh_officer)
    export = Job.objects.create(kind="web.export", title="Xuất", owner=hatinh_officer)
    theirs = Job.objects.create(kind="tests.count", title="Của Nghệ An", owner=nghean_officer)
    assert set(visible_jobs(hatinh_officer)) == {mine, export}
    assert list(visible_jobs(hatinh_officer, kinds=["web.export"])) == [export]
    assert set(visible_jobs(admin_user)) == {mine, export, theirs}
    assert not visible_jobs(AnonymousUser()).exists()
