from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from complaints.api import officer as api_officer
from complaints.api import transitions as api_transitions
from complaints.api import views as api
from complaints.scorecard import api as api_scorecard

router = SimpleRouter()
router.register("complaints", api.ComplaintViewSet, basename="complaint")

# Mounted at /api/ by config/urls.py.
urlpatterns: list = [
    path("v1/", include(router.urls)),
    path(
        "v1/complaints/<int:pk>/transitions/<slug:name>/",
        api_transitions.TransitionView.as_view(),
        name="api_complaint_transition",
    ),
    path(
        "v1/complaints/<int:pk>/identity/",
        api_officer.IdentityRevealView.as_view(),
        name="api_complaint_identity_reveal",
    ),
    path("v1/reference/", api.ReferenceView.as_view(), name="api_reference"),
    path("v1/track/", api.TrackView.as_view(), name="api_track"),
    path("v1/track/actions/<slug:name>/", api.TrackActionView.as_view(), name="api_track_action"),
    path("v1/kinerja/", api_scorecard.ScorecardView.as_view(), name="api_scorecard"),
    path(
        "v1/kinerja/instansi/<int:pk>/",
        api_scorecard.AgencyScorecardView.as_view(),
        name="api_scorecard_agency",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
]
