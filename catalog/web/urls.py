"""The public pages: home, search, artifact, the member directory and a member."""

from django.urls import path

from catalog.web import directory, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("artifacts/<str:namespace>/<str:slug>/", views.artifact_detail, name="artifact"),
    path("organizations/", directory.organization_list, name="organizations"),
    path("organizations/<str:slug>/", views.organization_detail, name="organization"),
]
