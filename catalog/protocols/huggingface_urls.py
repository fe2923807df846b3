"""The Hugging Face Hub's paths (catalog.protocols.huggingface): no trailing slash, so
that no client is ever redirected; `<id>` is raw `namespace/name`, two path segments
(the client does not quote it), and the revision route comes before the plain one."""

from django.urls import re_path

from catalog.models import ArtifactKind
from catalog.protocols import huggingface as hub

app_name = "huggingface"

REPO_ID = r"(?P<repo_id>[A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+)?)"

urlpatterns = []
for repo_type, kind in (("models", ArtifactKind.MODEL), ("datasets", ArtifactKind.DATASET)):
    urlpatterns += [
        re_path(rf"^api/{repo_type}$", hub.RepoListView.as_view(kind=kind), name=f"{kind}-list"),
        re_path(
            rf"^api/{repo_type}/{REPO_ID}/revision/(?P<revision>.+)$",
            hub.RepoInfoView.as_view(kind=kind),
            name=f"{kind}-revision",
        ),
        re_path(rf"^api/{repo_type}/{REPO_ID}$", hub.RepoInfoView.as_view(kind=kind), name=kind),
    ]
urlpatterns += [
    re_path(
        r"^api/(?P<repo_type>models|datasets|spaces)(?:/(?P<rest>.*))?$",
        hub.NotServedView.as_view(),
        name="not-served",
    ),
]
