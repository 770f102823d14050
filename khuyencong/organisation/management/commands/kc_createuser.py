import getpass

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from khuyencong.accounts.models import User
from khuyencong.organisation.models import OrgUnit, Role
from khuyencong.organisation.services import assign_role


class Command(BaseCommand):
    help = "Create a user and give them a role, nationwide or bound to an org unit (by code)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--full-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--role", choices=[r.value for r in Role], required=True)
        parser.add_argument("--org-unit", help="org unit code; omit for a nationwide role")
        parser.add_argument("--password", help="omit to be asked (input hidden)")

    @transaction.atomic
    def handle(self, *args, **opts):
        if User.objects.filter(username=opts["username"]).exists():
            raise CommandError(f"User {opts['username']!r} already exists.")
        unit = None
        if opts["org_unit"]:
            unit = OrgUnit.objects.filter(code=opts["org_unit"]).first()
            if unit is None:
                raise CommandError(f"No org unit with code {opts['org_unit']!r}.")
        password = opts["password"] or getpass.getpass("Password: ")
        user = User.objects.create_user(
            username=opts["username"], password=password, email=opts["email"], full_name=opts["full_name"]
        )
        if opts["role"] == Role.SYSTEM_ADMIN:
            user.is_staff = user.is_superuser = True
            user.save()
        assign_role(user=user, role=opts["role"], org_unit=unit)
        self.stdout.write(self.style.SUCCESS(f"Created {user.username} as {Role(opts['role']).label}."))
