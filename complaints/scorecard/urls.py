from django.urls import path

from complaints.scorecard import views

# Mounted at /kinerja/ by config/urls.py.
urlpatterns = [
    path("", views.index, name="scorecard"),
    path("unduh.csv", views.index_csv, name="scorecard_csv"),
    path("instansi/<int:pk>/", views.agency, name="scorecard_agency"),
    path("instansi/<int:pk>/unduh.csv", views.agency_csv, name="scorecard_agency_csv"),
]
