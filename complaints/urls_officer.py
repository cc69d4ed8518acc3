from django.urls import path

from . import views_dashboard

urlpatterns: list = [
    # Dashboard and CSV export (issue 5, part B).
    path("dasbor/", views_dashboard.dashboard, name="officer_dashboard"),
    path("ekspor.csv", views_dashboard.export_csv, name="officer_export_csv"),
]
