from django.urls import path

from . import views_portal, views_search

app_name = "dashboard"
urlpatterns = [
    # The staff home for a signed-in user, the public portal for anyone else (issue 20).
    path("", views_portal.root, name="home"),
    path("portal/", views_portal.portal, name="portal"),
    # The search across modules (issue 20): the navbar's box posts here.
    path("search/", views_search.search, name="search"),
]
