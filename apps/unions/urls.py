from django.urls import path

from . import views

app_name = "unions"
urlpatterns = [
    path("", views.union_list, name="list"),
    path("new/", views.union_create, name="create"),
    path("needs-union/", views.needs_union, name="needs_union"),
    path("figures/", views.figures, name="figures"),
    path("<uuid:pk>/", views.union_detail, name="detail"),
    path("<uuid:pk>/edit/", views.union_edit, name="edit"),
    # Collective contracts and their filing with the HR bureau
    path("contracts/", views.contract_list, name="contract_list"),
    path("contracts/new/", views.contract_create, name="contract_create"),
    path("contracts/<uuid:pk>/", views.contract_detail, name="contract_detail"),
    path("contracts/<uuid:pk>/edit/", views.contract_edit, name="contract_edit"),
    path("contracts/<uuid:pk>/file/", views.contract_file, name="contract_file"),
    path("contracts/<uuid:pk>/objection/", views.contract_objection, name="contract_objection"),
    # New forms of employment (issue 19): platform workers and their union membership
    path("new-employment/", views.platform_worker_list, name="platform_worker_list"),
    path("new-employment/export/", views.platform_worker_export, name="platform_worker_export"),
    path("new-employment/new/", views.platform_worker_create, name="platform_worker_create"),
    path("new-employment/<uuid:pk>/", views.platform_worker_detail, name="platform_worker_detail"),
    path("new-employment/<uuid:pk>/edit/", views.platform_worker_edit, name="platform_worker_edit"),
    path("new-employment/<uuid:pk>/join/", views.platform_worker_join, name="platform_worker_join"),
    path("new-employment/<uuid:pk>/leave/", views.platform_worker_leave, name="platform_worker_leave"),
    # Workers' congress
    path("congresses/new/", views.congress_create, name="congress_create"),
]
