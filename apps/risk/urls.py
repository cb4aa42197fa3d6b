from django.urls import path

from . import views

app_name = "risk"
urlpatterns = [
    path("", views.risk_list, name="list"),
    path("export.xlsx", views.risk_export, name="export"),
    path("chart/", views.risk_chart, name="chart"),
    path("<uuid:enterprise_id>/", views.risk_detail, name="detail"),
]
