from django.tasks import task

from khuyencong.jobs import services


@task
def run_job(job_id: str) -> None:
    services.execute(job_id)
