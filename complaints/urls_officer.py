from django.contrib.auth import views as auth_views
from django.urls import path

from . import auth, views_dashboard, views_officer

# Mounted at /petugas/ by config/urls.py.
urlpatterns: list = [
    path("", views_officer.queue, name="officer_queue"),
    path("masuk/", auth.LoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("kasus/<int:pk>/", views_officer.case, name="officer_case"),
    path(
        "kasus/<int:pk>/langkah/<slug:name>/", views_officer.case_transition, name="officer_case_transition"
    ),
    path("kasus/<int:pk>/identitas/", views_officer.case_reveal, name="officer_case_reveal"),
    path("kasus/<int:pk>/pesan/", views_officer.case_message, name="officer_case_message"),
    path("kasus/<int:pk>/catatan/", views_officer.case_message, {"internal": True}, name="officer_case_note"),
    path(
        "kasus/<int:pk>/surat-rujukan/",
        views_officer.case_referral_letter,
        name="officer_case_referral_letter",
    ),
    path("kasus/<int:pk>/ambil/", views_officer.case_claim, name="officer_case_claim"),
    path(
        "kasus/<int:pk>/bukti/<int:evidence_id>/", views_officer.case_evidence, name="officer_case_evidence"
    ),
    path("tugaskan/", views_officer.assign, name="officer_assign"),
    path("log-identitas/", views_officer.identity_log, name="officer_identity_log"),
    path("token-api/", views_officer.api_token, name="officer_api_token"),
    # Dashboard and CSV export.
    path("dasbor/", views_dashboard.dashboard, name="officer_dashboard"),
    path("ekspor.csv", views_dashboard.export_csv, name="officer_export_csv"),
]
