from django.urls import path

from .views import cases

# Each room adds its import and its routes between its own markers.
# -- imports --

app_name = "inspection"
urlpatterns = [
    path("", cases.case_list, name="list"),
    path("new/", cases.case_create, name="create"),
    path("<uuid:pk>/", cases.case_detail, name="detail"),
    path("<uuid:pk>/action/<slug:action>/", cases.case_action, name="action"),
    # -- public complaint pages --
    # -- orders and interviews --
    # -- patrols --
    # -- written reviews --
    # -- wage-arrears list, serious violations, credit grades, figures --
]
