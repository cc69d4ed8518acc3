from django.urls import path

from . import api_transitions

# Mounted at /api/ by config/urls.py.
urlpatterns: list = [
    path(
        "v1/complaints/<int:pk>/transitions/<slug:name>/",
        api_transitions.TransitionView.as_view(),
        name="api_complaint_transition",
    ),
]
