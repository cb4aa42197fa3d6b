from django.urls import path

from . import views, views_import

app_name = "contracts"
urlpatterns = [
    # The contract library: list, filing, one contract
    path("", views.contract_list, name="list"),
    path("find-by-id/", views.find_by_id, name="find_by_id"),
    path("new/", views.contract_create, name="create"),
    path("<uuid:pk>/", views.contract_detail, name="detail"),
    path("<uuid:pk>/terminate/", views.contract_terminate, name="terminate"),
    path("<uuid:pk>/verify/", views.contract_verify, name="verify"),
    path("<uuid:pk>/signed-file/", views.signed_file, name="signed_file"),
    # The book per enterprise (一户一册): the list behind a figure, exports
    path("book/<uuid:enterprise_pk>/<slug:key>/", views.book_list, name="book_list"),
    path("book/<uuid:enterprise_pk>/export.xlsx", views.book_xlsx, name="book_xlsx"),
    path("book/<uuid:enterprise_pk>/book.pdf", views.book_pdf, name="book_pdf"),
    path("book/<uuid:enterprise_pk>/pdf/generate/", views.book_pdf_generate, name="book_pdf_generate"),
    # Imports from the e-signing platform
    path("imports/", views_import.import_list, name="import_list"),
    path("imports/new/", views_import.import_create, name="import_create"),
    path("imports/<uuid:pk>/", views_import.import_detail, name="import_detail"),
    path("imports/<uuid:pk>/report.csv", views_import.import_report, name="import_report"),
]
