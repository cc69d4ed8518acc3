"""Valid intake input and evidence files made in memory."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def valid(**overrides) -> dict:
    data = {
        "reporter_type": "warga",
        "confidentiality": "terbuka",
        "name": "Budi Santoso",
        "phone": "0812-3456-7890",
        "email": "budi@example.id",
        "nik": "3171234567890123",
        "address": "Jl. Merdeka 1, Jakarta",
        "kind": "maladministrasi",
        "agency_name": "Kelurahan Menteng",
        "province": "31",
        "regency": "31.71",
        "incident_date": "2026-10-01",
        "description": "Pengurusan KTP elektronik saya tertunda empat bulan tanpa kejelasan.",
        "complained_to_agency_first": "1",
        "desired_outcome": "KTP saya segera dicetak.",
        "consent_pdp": "on",
        "notify_channel": "sms",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
