"""The coded answers' plain labels (forms.catalog.CHOICE_LABELS, read by the pure scorer) say
what the pages say (forms.labels through the ja/en translation catalogs)."""

from __future__ import annotations

from flask_babel import force_locale

from app.scoring.schema import code_label
from app.templating import CARRIER_LABELS_EN
from forms import catalog, labels

UI_TABLES = {
    "wifi_security": labels.WIFI_LABELS,
    "certification": labels.CERT_LABELS,
    "hazard_zone": labels.HAZARD_LABELS,
    "transport_options": labels.TRANSPORT_LABELS,
    "line_type": labels.LINE_LABELS,
    "metro_origin": labels.METRO_LABELS,
}
CODES = {
    "wifi_security": catalog.WIFI_SECURITY,
    "certification": catalog.CERTIFICATIONS,
    "hazard_zone": catalog.HAZARD_ZONES,
    "transport_options": catalog.TRANSPORT_OPTIONS,
    "line_type": catalog.LINE_TYPES,
    "metro_origin": catalog.METRO_ORIGINS,
    "carrier": catalog.CARRIERS,
}


def test_every_code_has_a_plain_label_equal_to_the_pages_label(app):
    assert set(catalog.CHOICE_LABELS) == set(CODES)
    for name, codes in CODES.items():
        assert set(catalog.CHOICE_LABELS[name]) == set(codes), name
    with app.test_request_context():
        for name, table in UI_TABLES.items():
            for code, label in table.items():
                with force_locale("ja"):
                    ja = str(label)
                with force_locale("en"):
                    en = str(label)
                assert catalog.CHOICE_LABELS[name][code] == (ja, en), (name, code)
    for code in catalog.CARRIERS:
        assert catalog.CHOICE_LABELS["carrier"][code][1] == CARRIER_LABELS_EN[code]


def test_code_label_knows_which_input_a_code_belongs_to():
    assert code_label("none", "ja", "wifi_security") == "Wi-Fiなし"
    assert code_label("none", "ja", "certification") == "なし"
    assert code_label("taxi", "en", "transport_options") == "Taxi"
    assert code_label("aed", "ja") == "AED" and code_label("shower", "ja") == "シャワー"
    assert code_label("wpa9", "ja", "wifi_security") == "wpa9"  # unknown: the code itself
