"""The ``khuyencong`` console command (also ``python -m khuyencong``).

Each subcommand is a thin alias for a Django management command, so behaviour lives in one place
and ``khuyencong manage <anything>`` reaches every other command.
"""

from __future__ import annotations

import os
import sys

COMMANDS = {
    "serve": ("kc_serve", "serve the web application and the job worker"),
    "worker": ("run_huey", "run the background job worker"),
    "migrate": ("kc_setup", "apply migrations and load reference data"),
    "demo": ("kc_demo", "load demo data and print the demo accounts"),
    "gen-data": ("kc_gen_data", "synthetic data at a scale (demo/benchmark databases only)"),
    "createuser": ("kc_createuser", "create a user with a role"),
    "token": ("kc_token", "issue, list or revoke API tokens"),
    "send-reminders": ("kc_send_reminders", "send the day's reminders and digests (--date dd/mm/yyyy)"),
    "import": ("import_establishments", "import establishments from .xlsx/.csv (dry run unless --commit)"),
    "backup": ("kc_backup", "archive the database and files (safe while serving)"),
    "restore": ("kc_restore", "restore an archive (verified; --force to overwrite data)"),
    "sweep-files": ("kc_sweep_files", "list (--delete: remove) attached files no record names"),
    "check-ledger": ("check_ledger", "check every money account against the ledger (non-zero exit on a difference)"),
    "check": ("check", "run system checks (add --deploy for production)"),
    "manage": (None, "run any Django management command"),
}


def usage() -> str:
    lines = ["usage: khuyencong <command> [options]", "", "commands:"]
    lines += [f"  {name:<15} {text}" for name, (_cmd, text) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(usage())
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"khuyencong: unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khuyencong.settings")
    from khuyencong.kernel.env import ImproperEnvironment

    try:
        from django.core.management import execute_from_command_line

        command = COMMANDS[name][0]
        if command is None:
            execute_from_command_line(["khuyencong", *rest])
        else:
            execute_from_command_line(["khuyencong", command, *rest])
    except ImproperEnvironment as exc:
        print(f"khuyencong: configuration error: {exc}", file=sys.stderr)
        return 3
    return 0
