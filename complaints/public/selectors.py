"""Reads for the complainant's pages: what each state means for them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint, State

STATE_EXPLANATIONS = {
    State.SUBMITTED: _(
        "Pengaduan Anda sudah kami terima. Petugas akan mulai memeriksa kelengkapannya paling lambat 3 hari kerja."
    ),
    State.VERIFYING: _(
        "Petugas sedang memeriksa kelengkapan dan pokok pengaduan Anda. Bila ada yang kurang, kami akan menghubungi Anda."
    ),
    State.AWAITING_INFO: _(
        "Kami menunggu informasi tambahan dari Anda. Kirim lewat halaman ini atau balas SMS/WhatsApp kami sebelum tenggat; "
        "bila tidak, pengaduan dianggap dicabut."
    ),
    State.REFERRED: _(
        "Pengaduan Anda sudah dirujuk ke unit yang berwenang, yang akan menerimanya dan mulai memeriksa."
    ),
    State.EXAMINATION: _(
        "Pengaduan Anda sedang diperiksa. Petugas dapat meminta keterangan dari Anda atau dari instansi terlapor."
    ),
    State.RESOLVED: _(
        "Pemeriksaan selesai. Baca hasilnya di bawah. Bila tidak setuju, Anda dapat mengajukan keberatan sebelum tenggat."
    ),
    State.CLOSED: _("Pengaduan ini sudah ditutup. Terima kasih telah melapor."),
    State.REJECTED: _(
        "Pengaduan ini tidak dapat kami tindak lanjuti. Alasannya dan lembaga yang dapat Anda hubungi ada di bawah."
    ),
    State.WITHDRAWN: _("Pengaduan ini sudah dicabut dan tidak diproses lagi."),
    State.DUPLICATE: _(
        "Pengaduan ini digabungkan dengan pengaduan lain tentang hal yang sama; perkembangannya mengikuti pengaduan itu."
    ),
}


def state_explanation(complaint: Complaint) -> str:
    return str(STATE_EXPLANATIONS.get(complaint.state, ""))
