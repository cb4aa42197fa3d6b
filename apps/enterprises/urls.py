from django.urls import path

from . import views, views_excel

app_name = "enterprises"
urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("new/", views.enterprise_create, name="create"),
    path("<uuid:pk>/", views.enterprise_detail, name="detail"),
    path("<uuid:pk>/edit/", views.enterprise_edit, name="edit"),
    path("<uuid:pk>/surveys/new/", views.survey_edit, name="survey_edit"),
    # The whole dossier as a PDF (Celery): request, its state (htmx), download
    path("<uuid:pk>/dossier.pdf", views.dossier_pdf, name="dossier_pdf"),
    path("<uuid:pk>/dossier.pdf/generate/", views.dossier_pdf_generate, name="dossier_pdf_generate"),
    path("<uuid:pk>/dossier.pdf/state/", views.dossier_pdf_state, name="dossier_pdf_state"),
    # Excel in and out (views_excel.py)
    path("export.xlsx", views_excel.export_xlsx, name="export_xlsx"),
    path("export.csv", views_excel.export_csv, name="export_csv"),
    path("import/", views_excel.import_upload, name="import_upload"),
    path("import/template.xlsx", views_excel.import_template, name="import_template"),
    path("import/<uuid:pk>/", views_excel.import_report, name="import_report"),
    path("import/<uuid:pk>/confirm/", views_excel.import_confirm, name="import_confirm"),
    path("import/<uuid:pk>/discard/", views_excel.import_discard, name="import_discard"),
]
