"""A team-suggestion job on a real Celery worker: killed mid-job, retried by another, finished once."""

import pytest
from django.conf import settings

from doeplein.spaces.models import Membership, Role
from doeplein.teams.actions import do_request_team
from doeplein.teams.models import TeamRequest
from doeplein.teams.profiles import build_graph, build_profiles
from tests.support.celery_worker import make_broker, run_worker, sending_to
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

# A message taken by a worker that dies becomes visible again after 3 s; workers look every second.
FAST_REDELIVERY = {"CELERY_VISIBILITY_TIMEOUT": "3", "CELERY_UNACKED_RESTORE_INTERVAL": "1"}


def test_a_worker_killed_mid_job_leaves_it_to_another_which_finishes_it_once(
    needs_redis, tmp_path, make_user, make_space
):
    people = []
    for i, skill in enumerate(["hydrologie", "gis", "juridisch"]):
        person = make_user(first_name=f"Expert{i}")
        person.profile.suggestible = True
        person.profile.save()
        person.profile.skills.set([skill])
        person.profile.save()
        people.append(person)
    boss = make_user()
    space = make_space("public", members={boss: Role.OWNER, **dict.fromkeys(people, Role.MEMBER)})
    assert Membership.objects.filter(space=space).count() == 4
    build_profiles()
    build_graph()

    broker = make_broker(tmp_path / "var", redis=True)
    broker.transport_options.update(visibility_timeout=3, unacked_restore_interval=1)
    with sending_to(broker):
        req, created = do_request_team(user=boss, space=space, skills=["hydrologie", "gis", "juridisch"])
        again, created_again = do_request_team(
            user=boss, space=space, skills=["GIS", "hydrologie", "juridisch"]
        )
        assert created and not created_again and again.pk == req.pk

        with run_worker(broker, env={**FAST_REDELIVERY, "DOEPLEIN_TEAMS_TEST_PAUSE": "120"}) as first:
            wait_until(
                lambda: TeamRequest.objects.get(pk=req.pk).status == "running",
                timeout=90,
                describe="the first worker to start the job",
                on_timeout=first.report,
            )
            first.process.kill()  # SIGKILL mid-job: no acknowledgement, no clean shutdown
            first.process.wait(timeout=10)
        assert TeamRequest.objects.get(pk=req.pk).status == "running"

        with run_worker(broker, env=FAST_REDELIVERY) as second:
            wait_until(
                lambda: TeamRequest.objects.get(pk=req.pk).status == "done",
                timeout=120,
                describe="the second worker to finish the job",
                on_timeout=second.report,
            )
    done = TeamRequest.objects.get(pk=req.pk)
    assert TeamRequest.objects.count() == 1
    assert done.runs == 2  # started twice (once killed), stored once
    assert done.progress == 100
    members = {m["user"] for m in done.result["teams"][0]["members"]}
    assert members == {p.pk for p in people}
    assert settings.REDIS_URL
