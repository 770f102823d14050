from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from khuyencong.accounts.models import ApiToken, User
from khuyencong.accounts.tokens import issue_token, revoke_token


class Command(BaseCommand):
    help = "Issue, list or revoke personal API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue", help="issue a token for a user and print it once")
        issue.add_argument("username")
        issue.add_argument("--name", default="cli")
        issue.add_argument("--days", type=int, default=None)
        listing = sub.add_parser("list", help="list tokens (of one user, or all)")
        listing.add_argument("username", nargs="?")
        revoke = sub.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args, **opts):
        action = opts["action"]
        if action == "issue":
            user = User.objects.filter(username=opts["username"]).first()
            if user is None:
                raise CommandError(f"No user {opts['username']!r}.")
            if opts["days"] is not None and opts["days"] < 1:
                raise CommandError("--days must be at least 1.")
            token, clear = issue_token(user=user, name=opts["name"], days=opts["days"])
            self.stdout.write(clear)
            self.stderr.write(
                f"Token {token.prefix} expires {timezone.localtime(token.expires_at):%d/%m/%Y %H:%M}. "
                "Store it now: it is not shown again."
            )
        elif action == "list":
            tokens = ApiToken.objects.select_related("user").order_by("-created_at")
            if opts["username"]:
                tokens = tokens.filter(user__username=opts["username"])
            for t in tokens:
                state = "active" if t.is_active else ("revoked" if t.revoked_at else "expired")
                self.stdout.write(
                    f"{t.prefix}\t{t.user.username}\t{t.name}\t{state}\t{timezone.localtime(t.expires_at):%d/%m/%Y}"
                )
        else:
            if not revoke_token(user=None, prefix=opts["prefix"]):
                raise CommandError(f"No active token with prefix {opts['prefix']!r}.")
            self.stdout.write(f"Revoked {opts['prefix']}.")
