from django.urls import path

from . import views

app_name = "unions"
urlpatterns = [
    path("", views.union_list, name="list"),
    path("figures/", views.figures, name="figures"),
]
