from django.urls import path

from catalog.api import views

app_name = "api"

urlpatterns = [
    path(
        "organizations/",
        views.OrganizationViewSet.as_view({"get": "list"}),
        name="organization-list",
    ),
    path(
        "organizations/<str:slug>/",
        views.OrganizationViewSet.as_view({"get": "retrieve"}),
        name="organization-detail",
    ),
    path("artifacts/", views.ArtifactViewSet.as_view({"get": "list"}), name="artifact-list"),
    path(
        "artifacts/<str:namespace>/<str:slug>/",
        views.ArtifactViewSet.as_view({"get": "retrieve"}),
        name="artifact-detail",
    ),
]
