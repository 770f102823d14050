import io

import pytest
from django.core.management import CommandError, call_command

from khuyencong.accounts.models import ApiToken, User
from khuyencong.cli import main
from khuyencong.organisation.models import RoleAssignment

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_createuser_with_role_bound_to_org_unit():
    run("kc_createuser", "hatinh2", "--role", "provincial_officer", "--org-unit", "SCT-42", "--password", "x-Y-z-12345")
    user = User.objects.get(username="hatinh2")
    assert user.check_password("x-Y-z-12345")
    assert RoleAssignment.objects.get(user=user).org_unit.code == "SCT-42"
    with pytest.raises(CommandError, match="already exists"):
        run("kc_createuser", "hatinh2", "--role", "viewer", "--password", "p")
    with pytest.raises(CommandError, match="No org unit"):
        run("kc_createuser", "other", "--role", "viewer", "--org-unit", "NOPE", "--password", "p")


def test_token_issue_list_revoke(hatinh_officer):
    secret, _err = run("kc_token", "issue", "hatinh", "--name", "excel", "--days", "7")
    secret = secret.strip()
    token = ApiToken.objects.get(user=hatinh_officer)
    assert secret.startswith(f"kc_{token.prefix}_")
    listing, _ = run("kc_token", "list", "hatinh")
    assert token.prefix in listing and "active" in listing
    run("kc_token", "revoke", token.prefix)
    listing, _ = run("kc_token", "list")
    assert "revoked" in listing
    with pytest.raises(CommandError):
        run("kc_token", "revoke", token.prefix)
    with pytest.raises(CommandError, match="at least 1"):
        run("kc_token", "issue", "hatinh", "--days", "0")


def test_console_command_help_and_unknown(capsys):
    assert main(["--help"]) == 0
    assert "createuser" in capsys.readouterr().out
    assert main(["nonsense"]) == 2
