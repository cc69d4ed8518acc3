from django.urls import path

from complaints.public import views as views_public

urlpatterns = [
    path("", views_public.home, name="home"),
    path("lapor/", views_public.lapor, name="lapor"),
    path("lapor/terkirim/", views_public.lapor_terkirim, name="lapor_terkirim"),
    path("lacak/", views_public.lacak, name="lacak"),
    path("lacak/pin-baru/", views_public.lacak_pin_baru, name="lacak_pin_baru"),
    path("lacak/kasus/", views_public.lacak_kasus, name="lacak_kasus"),
    path("lacak/aksi/<slug:name>/", views_public.lacak_aksi, name="lacak_aksi"),
    path("lacak/keluar/", views_public.lacak_keluar, name="lacak_keluar"),
    path("lacak/tanda-terima/", views_public.tanda_terima, name="lacak_tanda_terima"),
    path("tanda-terima/", views_public.tanda_terima_cari, name="tanda_terima_cari"),
    path("tanda-terima/<str:number>/", views_public.tanda_terima_cek, name="tanda_terima_cek"),
    path("lacak/data-saya/", views_public.data_saya, name="lacak_data_saya"),
    path("lacak/data-saya.json", views_public.data_saya_json, name="lacak_data_saya_json"),
    path("lacak/data-saya/permintaan/", views_public.data_saya_permintaan, name="lacak_data_permintaan"),
]
