"""The site-document inputs a rubric may read, with their display labels and units.

Names only, no scoring numbers: the rubric file refers to these inputs, and loading it
checks every reference against this table so a typo cannot silently score 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from forms import catalog


@dataclass(frozen=True)
class InputInfo:
    label_ja: str
    label_en: str
    unit_ja: str = ""
    unit_en: str = ""


_MIN = ("分", " min")
_M = (" m", " m")

NUMBER_INPUTS: dict[str, InputInfo] = {
    name: InputInfo(ja, en, *unit)
    for name, ja, en, unit in (
        ("runs.download_mbps", "下り中央値", "median download", (" Mbps", " Mbps")),
        ("runs.upload_mbps", "上り中央値", "median upload", (" Mbps", " Mbps")),
        ("runs.latency_ms", "遅延中央値", "median latency", (" ms", " ms")),
        ("runs.jitter_ms", "ジッター中央値", "median jitter", (" ms", " ms")),
        ("runs.loss_pct", "パケットロス中央値", "median packet loss", (" %", " %")),
        ("seats", "座席数", "seats", ("席", "")),
        ("seats_with_outlet", "座席の電源", "outlets at seats", ("口", "")),
        ("meeting_booths", "Web会議用個室", "web-meeting booths", ("室", " rooms")),
        ("desk_lux", "机上照度", "desk illuminance", (" lx", " lx")),
        ("temperature_c", "室温", "temperature", (" ℃", " ℃")),
        ("humidity_pct", "湿度", "humidity", (" %", " %")),
        ("days_per_week", "営業日数", "open days", ("日/週", " days a week")),
        ("lodging_minutes", "宿泊施設まで", "to the lodging", _MIN),
        ("rooms_within_30min", "30分圏内の客室", "rooms within 30 min", ("室", "")),
        ("price_per_night_jpy", "1泊料金", "price per night", ("円", " yen")),
        ("metro_minutes", "大都市から", "from the major city", _MIN),
        ("station_distance_m", "駅まで", "to the station", _M),
        ("bus_stop_distance_m", "バス停まで", "to the bus stop", _M),
        ("transit_round_trips", "往復便数", "round trips", ("往復/日", " a day")),
        ("clinic_distance_km", "診療所まで", "to the clinic", (" km", " km")),
        ("clinic_minutes", "診療所まで", "to the clinic", _MIN),
        ("hospital_minutes", "救急病院まで", "to the hospital", _MIN),
        ("store_distance_m", "店舗まで", "to the store", _M),
        ("experience_programmes", "体験プログラム", "programmes", ("件", "")),
        ("evacuation_site_m", "避難所まで", "to the evacuation site", _M),
    )
}

FLAG_INPUTS: dict[str, InputInfo] = {
    name: InputInfo(ja, en)
    for name, ja, en in (
        ("chair_height_adjustable", "高さ調整", "height"),
        ("chair_back_adjustable", "背もたれ調整", "backrest"),
        ("chair_armrests", "肘掛け", "armrests"),
        ("lodging_accepts_3_nights", "3泊以上の受入れ", "accepts 3+ nights"),
        ("room_wifi_meets_g1", "客室Wi-Fi", "in-room Wi-Fi"),
        ("room_desk_chair", "客室の机と椅子", "desk and chair in the room"),
        ("long_stay_plan", "長期滞在プラン", "long-stay plan"),
        ("services_within_2km", "2 km以内の生活サービス", "services within 2 km"),
        ("community_events_monthly", "月例の交流イベント", "monthly events"),
        ("alliance_member", "協議会・県ネットワーク", "alliance or network"),
        ("info_in_english", "英語での情報発信", "information in English"),
        ("wifi_client_isolation", "クライアント分離", "client isolation"),
        ("wifi_guest_network", "ゲストネットワーク", "guest network"),
    )
}

CODE_INPUTS: dict[str, tuple[str, ...]] = {
    "certification": catalog.CERTIFICATIONS,
    "hazard_zone": catalog.HAZARD_ZONES,
    "wifi_security": catalog.WIFI_SECURITY,
    "line_type": catalog.LINE_TYPES,
    "metro_origin": catalog.METRO_ORIGINS,
}

LIST_INPUTS: dict[str, frozenset[str]] = {
    "amenities": catalog.AMENITY_CODES,
    "transport_options": frozenset(catalog.TRANSPORT_OPTIONS),
}

CARRIERS: frozenset[str] = frozenset(catalog.CARRIERS)

_AMENITY_LABELS = {a.code: (a.ja, a.en) for a in catalog.AMENITIES}


def code_label(code: str, locale: str, input_name: str = "amenities") -> str:
    """The catalog label of a coded answer (an amenity by default), else the code itself."""
    if input_name == "amenities":
        labels = _AMENITY_LABELS.get(code)
    else:
        labels = catalog.CHOICE_LABELS.get(input_name, {}).get(code)
    if labels is None:
        return code
    return labels[0] if locale == "ja" else labels[1]
