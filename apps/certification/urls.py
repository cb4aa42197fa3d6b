from django.urls import path

from . import views, views_notice

app_name = "certification"
urlpatterns = [
    # Applications: the reviewers' queue, HR's own applications
    path("", views.application_list, name="list"),
    path("new/", views.application_create, name="create"),
    path("figures/", views.figures, name="figures"),
    path("<uuid:pk>/", views.application_detail, name="detail"),
    # The HR wizard: one step per scoring category, then the group, the disclosure, submit
    path("<uuid:pk>/self-evaluation/<slug:step>/", views.wizard_step, name="wizard"),
    path("<uuid:pk>/evidence/<uuid:evidence_pk>/", views.evidence_download, name="evidence"),
    path("<uuid:pk>/evidence/<uuid:evidence_pk>/delete/", views.evidence_delete, name="evidence_delete"),
    # Review
    path("<uuid:pk>/review/", views.review, name="review"),
    path("<uuid:pk>/action/<slug:action>/", views.application_action, name="action"),
    # Public notices (administrators publish; the public page is below)
    path("notices/", views_notice.notice_list, name="notice_list"),
    path("notices/new/", views_notice.notice_create, name="notice_create"),
    path("objections/<uuid:pk>/resolve/", views_notice.objection_resolve, name="objection_resolve"),
    # Certificates, annual reports and veto events
    path("certificates/<str:number>/", views_notice.certificate_detail, name="certificate"),
    path("certificates/<str:number>/revoke/", views_notice.certificate_revoke, name="certificate_revoke"),
    path("reports/<uuid:pk>/", views_notice.annual_report, name="annual_report"),
    path("vetoes/", views_notice.veto_list, name="veto_list"),
    path("vetoes/new/", views_notice.veto_create, name="veto_create"),
    path("vetoes/<uuid:pk>/<slug:action>/", views_notice.veto_decide, name="veto_decide"),
    # Public pages, no login
    path("public/notice/", views_notice.public_notice, name="public_notice"),
    path("public/notice/<uuid:notice_pk>/pdf/", views_notice.public_notice_pdf, name="public_notice_pdf"),
    path(
        "public/notice/<uuid:notice_pk>/<uuid:pk>/objection/",
        views_notice.public_objection,
        name="public_objection",
    ),
]
