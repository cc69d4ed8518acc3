from django.contrib.auth import views as auth_views
from django.urls import path

from complaints.workspace import auth, views

urlpatterns: list = [
    path("", views.queue, name="officer_queue"),
    path("masuk/", auth.LoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("kasus/<int:pk>/", views.case, name="officer_case"),
    path("kasus/<int:pk>/langkah/<slug:name>/", views.case_transition, name="officer_case_transition"),
    path("kasus/<int:pk>/identitas/", views.case_reveal, name="officer_case_reveal"),
    path("kasus/<int:pk>/pesan/", views.case_message, name="officer_case_message"),
    path("kasus/<int:pk>/catatan/", views.case_message, {"internal": True}, name="officer_case_note"),
    path(
        "kasus/<int:pk>/surat-rujukan/",
        views.case_referral_letter,
        name="officer_case_referral_letter",
    ),
    path("kasus/<int:pk>/ambil/", views.case_claim, name="officer_case_claim"),
    path("kasus/<int:pk>/pin-baru/", views.case_pin_reissue, name="officer_case_pin_reissue"),
    path("kasus/<int:pk>/mendesak/", views.case_urgency_review, name="officer_case_urgency"),
    path(
        "kasus/<int:pk>/data-pribadi/<int:request_id>/jawab/",
        views.case_data_request_answer,
        name="officer_case_data_request_answer",
    ),
    path("kasus/<int:pk>/bukti/<int:evidence_id>/", views.case_evidence, name="officer_case_evidence"),
    path("kasus/<int:pk>/tanda-terima/", views.case_receipt, name="receipt"),
    path("kasus/<int:pk>/dokumen/", views.case_document, name="officer_case_document"),
    path("tugaskan/", views.assign, name="officer_assign"),
    # Desk intake: a complaint received in person, by letter, by phone or by email.
    path("lapor/", views.desk_intake, name="officer_desk_intake"),
    path("lapor/terkirim/", views.desk_intake_done, name="officer_desk_intake_done"),
    path("log-identitas/", views.identity_log, name="officer_identity_log"),
    path("token-api/", views.api_token, name="officer_api_token"),
    # Dashboard and CSV export.
    path("dasbor/", views.dashboard, name="officer_dashboard"),
    # Workload: a unit's open cases by officer; an officer's own cases (docs/domain.md#workload).
    path("beban/", views.workload, name="officer_workload"),
    path("beban/<int:officer_id>/", views.officer_cases, name="officer_cases"),
    path("kasus-saya/", views.my_cases, name="officer_my_cases"),
    path("ekspor.csv", views.export_csv, name="officer_export_csv"),
    # An agency's public scorecard, as the attachment of a P2HAM/KKPHAM assessment.
    path(
        "kinerja/instansi/<int:pk>/ekspor.csv",
        views.scorecard_export,
        name="officer_scorecard_export",
    ),
]
