from django.urls import path

from . import views, views_intake, views_public

app_name = "mediation"
urlpatterns = [
    # Cases: mediators' and administrators' list, HR's cases as respondent
    path("", views.case_list, name="list"),
    path("new/", views_intake.case_create, name="create"),
    path("figures/", views_intake.figures, name="figures"),
    path("organisations/", views_intake.organisation_list, name="organisations"),
    path("<uuid:pk>/", views.case_detail, name="detail"),
    path("<uuid:pk>/action/<slug:action>/", views.case_action, name="action"),
    path("<uuid:pk>/access-code/", views.access_code_reissue, name="access_code"),
    path("<uuid:pk>/mass-incident/", views.mass_incident, name="mass_incident"),
    path("<uuid:pk>/mass-incident/remove/", views.mass_incident_remove, name="mass_incident_remove"),
    path("<uuid:pk>/sessions/new/", views.session_create, name="session_create"),
    path("<uuid:pk>/agreement/", views.agreement_edit, name="agreement"),
    path("<uuid:pk>/agreement/signatures/", views.agreement_signatures, name="signatures"),
    path("<uuid:pk>/agreement/pdf/", views.agreement_pdf, name="agreement_pdf"),
    path("<uuid:pk>/agreement/pdf/generate/", views.agreement_pdf_generate, name="agreement_pdf_generate"),
    path("<uuid:pk>/agreement/draft/", views.agreement_draft_pdf, name="agreement_draft_pdf"),
    path(
        "<uuid:pk>/agreement/draft/generate/", views.agreement_draft_generate, name="agreement_draft_generate"
    ),
    path("<uuid:pk>/payments/new/", views.payment_create, name="payment_create"),
    path("<uuid:pk>/performance/", views.performance_set, name="performance"),
    path("<uuid:pk>/follow-ups/<uuid:follow_up_pk>/", views.follow_up_update, name="follow_up"),
    path("<uuid:pk>/referrals/new/", views.referral_create, name="referral_create"),
    path("<uuid:pk>/referrals/<uuid:referral_pk>/", views.referral_result, name="referral_result"),
    path("<uuid:pk>/documents/new/", views.document_upload, name="document_upload"),
    path("<uuid:pk>/documents/<uuid:document_pk>/", views.document_download, name="document"),
    # Public pages for workers, no login
    path("apply/", views_public.apply, name="apply"),
    path("apply/done/", views_public.apply_done, name="apply_done"),
    path("track/", views_public.track, name="track"),
    path("organisations/public/", views_public.organisations, name="public_organisations"),
]
