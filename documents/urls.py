from django.urls import path

from . import views
from .workflow import views as flow_views

app_name = "documents"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.edit, name="edit"),
    path("<int:pk>/number/", views.assign_number, name="assign_number"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("<int:pk>/attachments/<int:attachment_id>/remove/", views.remove_attachment, name="remove_attachment"),
    path("<int:pk>/versions/", views.versions, name="versions"),
    path("<int:pk>/versions/diff/", views.diff, name="diff"),
    path("<int:pk>/versions/changes/", views.changes, name="changes"),
    path("<int:pk>/versions/<int:number>/restore/", views.restore, name="restore"),
    path("<int:pk>/preview/", views.preview, name="preview"),
    path("<int:pk>/preview.pdf", views.preview_pdf, name="preview_pdf"),
    path("<int:pk>/preview/<int:page>.png", views.preview_page, name="preview_page"),
    path("<int:pk>/export.docx", views.export_docx, name="export_docx"),
    path("flow/<int:pk>/", flow_views.flow_detail, name="flow"),
    path("flow/<int:pk>/act/", flow_views.flow_action, name="flow_action"),
    path("flow/<int:pk>/panel/", flow_views.flow_panel, name="flow_panel"),
    path("flow/<int:pk>/reply/", flow_views.reply, name="flow_reply"),
    path("flow/<int:pk>/sheet.pdf", flow_views.sheet_pdf, name="flow_sheet"),
    path("flow/<int:pk>/sealed.pdf", flow_views.sealed_pdf, name="flow_sealed_pdf"),
    path("flow/<int:pk>/signed-sheet.pdf", flow_views.signed_sheet_pdf, name="flow_signed_sheet"),
    path("flow/<int:pk>/sign-sheet/", flow_views.sign_sheet_again, name="flow_sign_sheet"),
    path("flow/<int:pk>/sign/", flow_views.sign, name="sign"),
    path("sign/", flow_views.sign_queue, name="sign_queue"),
    path("incoming/", flow_views.incoming_list, name="incoming"),
    path("incoming/overdue/", flow_views.overdue, name="overdue"),
    path("<int:pk>/submit/", flow_views.submit, name="submit"),
    path("templates/<int:unit_id>/", views.unit_template, name="unit_template"),
]
