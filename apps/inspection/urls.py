from django.urls import path

from . import views_public

# Each room adds its import and its routes between its own markers.
# -- imports --
from .views import arrears, cases, figures, interviews, patrols, reviews

app_name = "inspection"
urlpatterns = [
    path("", cases.case_list, name="list"),
    path("new/", cases.case_create, name="create"),
    path("<uuid:pk>/", cases.case_detail, name="detail"),
    path("<uuid:pk>/action/<slug:action>/", cases.case_action, name="action"),
    path("<uuid:pk>/access-code/", cases.access_code_issue, name="access_code"),
    # -- public complaint pages --
    path("complain/", views_public.complain, name="complain"),
    path("complain/done/", views_public.complain_done, name="complain_done"),
    path("track/", views_public.track, name="track"),
    # -- orders and interviews --
    path("interviews/", interviews.interview_list, name="interviews"),
    path("interviews/new/", interviews.interview_propose, name="interview_propose"),
    path("interviews/<uuid:pk>/", interviews.interview_detail, name="interview"),
    path("interviews/<uuid:pk>/action/<slug:action>/", interviews.interview_action, name="interview_action"),
    path("interviews/<uuid:pk>/notice.pdf", interviews.interview_notice_pdf, name="interview_notice_pdf"),
    path(
        "interviews/<uuid:pk>/notice/generate/",
        interviews.interview_notice_generate,
        name="interview_notice_generate",
    ),
    path("orders/<uuid:pk>/order.pdf", interviews.order_pdf, name="order_pdf"),
    path("orders/<uuid:pk>/order/generate/", interviews.order_pdf_generate, name="order_pdf_generate"),
    # -- patrols --
    path("patrols/", patrols.patrol_index, name="patrols"),
    path("patrols/plans/new/", patrols.plan_create, name="patrol_plan_create"),
    path("patrols/plans/<uuid:pk>/", patrols.plan_detail, name="patrol_plan"),
    path("patrols/new/", patrols.patrol_create, name="patrol_create"),
    path("patrols/<uuid:pk>/", patrols.patrol_detail, name="patrol"),
    path("patrols/findings/<uuid:pk>/attachments/", patrols.attachment_add, name="patrol_attachment_add"),
    path("patrols/attachments/<uuid:pk>/", patrols.attachment_download, name="patrol_attachment"),
    path("patrols/findings/<uuid:pk>/case/", patrols.finding_case, name="patrol_finding_case"),
    # -- written reviews --
    path("reviews/", reviews.review_list, name="reviews"),
    path("reviews/missing/", reviews.reviews_missing, name="reviews_missing"),
    path("reviews/start/", reviews.review_start, name="review_start"),
    path("reviews/<uuid:pk>/", reviews.review_detail, name="review_detail"),
    path("reviews/<uuid:pk>/submit/", reviews.review_submit, name="review_submit"),
    path("reviews/<uuid:pk>/accept/", reviews.review_accept, name="review_accept"),
    path("reviews/<uuid:pk>/return/", reviews.review_return, name="review_return"),
    path("reviews/<uuid:pk>/case/", reviews.review_case, name="review_case"),
    # -- wage-arrears list, serious violations, credit grades, figures --
    path("arrears/", arrears.arrears_list, name="arrears_list"),
    path("arrears/new/", arrears.arrears_create, name="arrears_create"),
    path("arrears/<uuid:pk>/", arrears.arrears_detail, name="arrears_detail"),
    path("arrears/<uuid:pk>/remove/", arrears.arrears_remove, name="arrears_remove"),
    path("violations/", arrears.violation_list, name="violation_list"),
    path("violations/new/", arrears.violation_create, name="violation_create"),
    path("violations/<uuid:pk>/", arrears.violation_detail, name="violation_detail"),
    path("grades/", arrears.grade_list, name="grade_list"),
    path("figures/", figures.figures, name="figures"),
]
