"""What an SMS costs: one segment is 160 GSM-7 characters, or 70 once one character is not GSM-7."""

from notifications import texts


def test_segments_count_gsm7_and_ucs2_texts_as_phones_do():
    assert texts.segments("a" * 160) == 1
    assert texts.segments("a" * 161) == 2  # split messages carry 153 each
    assert texts.segments("a" * 306) == 2 and texts.segments("a" * 307) == 3
    assert texts.segments("€" * 80) == 1 and texts.segments("€" * 81) == 2  # extension: two each
    assert texts.segments("a" * 69 + "ā") == 1 and texts.segments("a" * 70 + "ā") == 2  # UCS-2


def test_plain_keeps_gsm7_names_and_simplifies_the_rest():
    assert (
        texts.plain("Kanwil Kementerian HAM Nusa Tenggara Barat")
        == "Kanwil Kementerian HAM Nusa Tenggara Barat"
    )
    assert (
        texts.plain("Perwakilan “Sulawesi’s” Utara – Kota\u00a0Bitung")
        == 'Perwakilan "Sulawesi\'s" Utara - Kota Bitung'
    )
    assert texts.segments(texts.plain("Pemerintah Kabupaten Pāniai ") * 5) == 1
