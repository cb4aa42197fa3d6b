from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.report_request, name="request"),
    path("subscriptions/", views.subscribe, name="subscribe"),
    path("subscriptions/<uuid:pk>/delete/", views.unsubscribe, name="unsubscribe"),
    path("<uuid:pk>/", views.report_detail, name="detail"),
    path("<uuid:pk>/retry/", views.report_retry, name="retry"),
    path("<uuid:pk>/report.pdf", views.download_pdf, name="pdf"),
    path("<uuid:pk>/report.xlsx", views.download_xlsx, name="xlsx"),
]
