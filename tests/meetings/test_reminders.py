"""Reminders before the meeting and chasing of non-responders: idempotent however often beat runs them."""

from datetime import timedelta

import time_machine

from meetings.tasks import send_reminders
from oa.todo.models import TodoItem
from tests.meetings.conftest import local

START = local(2030, 5, 6, 9)


def _toread(person, step):
    return TodoItem.objects.filter(owner=person, kind="toread", step=step, source_app="meetings").count()


def test_reminders_and_chasing_are_sent_once(mt, make_meeting):
    from meetings import services

    with time_machine.travel(START - timedelta(days=5), tick=False):
        meeting = make_meeting(start=START)
        services.invite_people(mt.organiser, meeting, [mt.staff, mt.vice, mt.clerk])
        services.answer(mt.vice, meeting, "attend")
        services.answer(mt.clerk, meeting, "leave", reason="病假")
        assert send_reminders.delay().get() == {"before": 0, "chase": 0}  # too early to chase
    with time_machine.travel(START - timedelta(days=2), tick=False):
        assert send_reminders.delay().get() == {"before": 0, "chase": 1}
        assert send_reminders.delay().get() == {"before": 0, "chase": 0}
    with time_machine.travel(START - timedelta(days=1), tick=False):
        assert send_reminders.delay().get()["chase"] == 1  # once a day
    assert _toread(mt.staff, "催回执") == 2 and _toread(mt.vice, "催回执") == 0
    with time_machine.travel(START - timedelta(hours=1), tick=False):
        assert send_reminders.delay().get()["before"] == 2  # staff (no answer yet) and vice; not the clerk on leave
        assert send_reminders.delay().get()["before"] == 0
    assert _toread(mt.clerk, "会前提醒") == 0 and _toread(mt.vice, "会前提醒") == 1
