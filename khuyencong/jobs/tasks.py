"""What the worker runs: the jobs themselves, and the housekeeping that finds jobs whose worker
died and deletes files past their retention (at the worker's start and periodically)."""

from django.tasks import task
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, on_startup

from khuyencong.jobs import services


@task
def run_job(job_id: str) -> None:
    services.execute(job_id)


@on_startup("khuyencong.jobs.recover")
def recover_on_start() -> None:
    """A restarted worker first marks the jobs its dead predecessor left running as interrupted.
    (The connection this opens is closed by the first task or periodic task the thread runs.)"""
    services.interrupt_orphans()


@db_periodic_task(crontab(minute="*"))
def find_lost_jobs() -> None:
    services.interrupt_stale_jobs()


@db_periodic_task(crontab(minute="17"))
def delete_expired_files() -> None:
    services.delete_expired_files()
