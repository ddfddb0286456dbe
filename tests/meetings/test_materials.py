"""Materials: attendees only (pages, API, WebSocket), watermarked with the viewer's name, withdrawable after
the meeting."""

import io
from datetime import timedelta

import pytest
import time_machine
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from meetings import services
from oa.core.errors import PermissionDeniedError, ServiceError
from tests.meetings.conftest import client_for


def _pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    c = canvas.Canvas(buffer)
    c.drawString(72, 720, "Report on work safety")
    c.save()
    return buffer.getvalue()


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (255, 255, 255)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def with_materials(mt, invited):
    services.answer(mt.vice, invited, "leave", reason="出差")
    pdf = services.upload_material(
        mt.organiser, invited, SimpleUploadedFile("汇报材料.pdf", _pdf()), "安全生产情况汇报"
    )
    png = services.upload_material(mt.organiser, invited, SimpleUploadedFile("图表.png", _png()))
    return invited, pdf, png


def test_upload_refuses_wrong_types_and_broken_files(mt, invited):
    with pytest.raises(ServiceError, match="只支持"):
        services.upload_material(mt.organiser, invited, SimpleUploadedFile("x.exe", b"MZ"))
    with pytest.raises(ServiceError, match="已损坏"):
        services.upload_material(mt.organiser, invited, SimpleUploadedFile("x.pdf", b"not a pdf"))
    with pytest.raises(PermissionDeniedError):
        services.upload_material(mt.staff, invited, SimpleUploadedFile("x.pdf", _pdf()))


def test_pdf_copy_carries_the_viewers_name(mt, with_materials):
    from pypdf import PdfReader

    meeting, pdf, _png_material = with_materials
    content, content_type, _name = services.watermarked_copy(mt.staff, pdf)
    assert content_type == "application/pdf"
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert "王科员" in text and "Report on work safety" in text


def test_image_copy_is_marked(mt, with_materials):
    from PIL import Image

    _meeting, _pdf_material, png = with_materials
    content, content_type, _name = services.watermarked_copy(mt.staff, png)
    image = Image.open(io.BytesIO(content)).convert("RGB")
    assert content_type == "image/png"
    assert image.getextrema() != ((255, 255), (255, 255), (255, 255))


def test_non_attendees_cannot_see_materials_through_pages_or_api(mt, with_materials):
    meeting, pdf, _png_material = with_materials
    url = f"/meetings/{meeting.pk}/materials/{pdf.pk}/"
    assert client_for(mt.staff).get(url).status_code == 200
    for person, status in ((mt.outsider, 404), (mt.vice, 404), (mt.jc_clerk, 404)):
        assert client_for(person).get(url).status_code == status, person
    page = client_for(mt.vice).get(f"/meetings/{meeting.pk}/").content.decode()
    assert "安全生产情况汇报" not in page and "仅供参会人员查阅" in page
    api = f"/api/meetings/{meeting.pk}/materials/"
    assert [m["title"] for m in client_for(mt.staff).get(api).json()] == ["安全生产情况汇报", "图表"]
    assert client_for(mt.vice).get(api).status_code == 403
    assert client_for(mt.outsider).get(api).status_code == 404
    assert client_for(mt.outsider).get(f"{api}{pdf.pk}/download/").status_code == 404
    assert client_for(mt.vice).get(f"{api}{pdf.pk}/download/").status_code == 403


def test_withdrawn_after_the_meeting(mt, with_materials, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 0
    meeting, pdf, _png_material = with_materials
    with pytest.raises(ServiceError, match="会议结束后才能收回"):
        services.withdraw_materials(mt.organiser, meeting)
    with time_machine.travel(meeting.end + timedelta(minutes=1), tick=False):
        services.withdraw_materials(mt.organiser, meeting)
        assert client_for(mt.staff).get(f"/meetings/{meeting.pk}/materials/{pdf.pk}/").status_code == 404
        assert client_for(mt.organiser).get(f"/meetings/{meeting.pk}/materials/{pdf.pk}/").status_code == 200


def _socket(client, meeting_id):
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    headers = [(b"host", b"testserver"), (b"origin", b"http://testserver"), (b"cookie", cookie.encode())]
    from oa.asgi import application

    return WebsocketCommunicator(application, f"/ws/meetings/{meeting_id}/", headers=headers)


@pytest.mark.django_db(transaction=True)
def test_websocket_material_titles_only_for_attendees(mt, with_materials):
    meeting, _pdf_material, _png_material = with_materials
    staff, vice, outsider = client_for(mt.staff), client_for(mt.vice), client_for(mt.outsider)

    async def scenario():
        ws = _socket(outsider, meeting.pk)
        on_leave = _socket(vice, meeting.pk)
        attendee = _socket(staff, meeting.pk)
        try:
            assert await ws.connect() == (False, 4403)
            assert (await on_leave.connect())[0] and (await attendee.connect())[0]
            assert await on_leave.receive_json_from() == {"type": "changed"}
            assert (await attendee.receive_json_from())["materials"] == ["安全生产情况汇报", "图表"]
            await sync_to_async(services.upload_material)(
                mt.organiser, meeting, SimpleUploadedFile("补充.png", _png()), "补充材料"
            )
            assert "materials" not in await on_leave.receive_json_from(timeout=2)
            assert "补充材料" in (await attendee.receive_json_from(timeout=2))["materials"]
        finally:
            for socket in (ws, on_leave, attendee):
                await socket.disconnect()

    async_to_sync(scenario)()
    assert timezone.now() < meeting.start


@pytest.mark.django_db(transaction=True)
def test_websocket_counts_for_the_organiser_and_permission_rechecked(mt, invited):
    organiser = client_for(mt.organiser)
    staff = client_for(mt.staff)

    async def scenario():
        ws = _socket(organiser, invited.pk)
        member = _socket(staff, invited.pk)
        try:
            assert (await ws.connect())[0]
            first = await ws.receive_json_from()
            assert first["type"] == "counts" and first["counts"]["pending"] == 2
            await sync_to_async(services.answer)(mt.staff, invited, "attend")
            update = await ws.receive_json_from(timeout=2)
            assert (update["counts"]["attend"], update["counts"]["pending"]) == (1, 1)
            # Removed from the list (e.g. the meeting was re-created without them): the next event closes it.
            assert (await member.connect())[0]
            await member.receive_json_from()
            from meetings.models import Attendee

            await sync_to_async(Attendee.objects.filter(meeting=invited, person=mt.staff).delete)()
            await sync_to_async(services.answer)(mt.vice, invited, "attend")
            assert await member.receive_output(timeout=2) == {"type": "websocket.close", "code": 4403}
        finally:
            await member.disconnect()
            await ws.disconnect()

    async_to_sync(scenario)()
