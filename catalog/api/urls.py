from django.urls import path

from catalog.api import memberships, views
from catalog.api.transitions import TRANSITION_VIEWS

app_name = "api"

urlpatterns = [
    path("", views.ApiIndexView.as_view(), name="index"),
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
    path(
        "organizations/<str:slug>/members/",
        memberships.MemberListView.as_view(),
        name="organization-members",
    ),
    path(
        "organizations/<str:slug>/members/<str:username>/",
        memberships.MemberView.as_view(),
        name="organization-member",
    ),
    path("licenses/", views.LicenseListView.as_view(), name="license-list"),
    path("taxonomy/", views.TaxonomyView.as_view(), name="taxonomy"),
    path(
        "artifacts/",
        views.ArtifactViewSet.as_view({"get": "list", "post": "create"}),
        name="artifact-list",
    ),
    path(
        "artifacts/<str:namespace>/<str:slug>/",
        views.ArtifactViewSet.as_view(
            {"get": "retrieve", "patch": "partial_update", "put": "update", "delete": "destroy"}
        ),
        name="artifact-detail",
    ),
    path(
        "artifacts/<str:namespace>/<str:slug>/lineage/",
        views.ArtifactViewSet.as_view({"get": "lineage"}),
        name="artifact-lineage",
    ),
    *(
        path(
            f"artifacts/<str:namespace>/<str:slug>/{name}/",
            view.as_view(),
            name=f"artifact-{name}",
        )
        for name, view in TRANSITION_VIEWS.items()
    ),
]
