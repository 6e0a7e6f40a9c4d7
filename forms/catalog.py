"""The amenity checklist and the coded choices of a survey (one definition, labels ja/en)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Amenity:
    code: str
    ja: str
    en: str

    def label(self, locale: str) -> str:
        return self.ja if locale == "ja" else self.en


AMENITIES: tuple[Amenity, ...] = tuple(
    Amenity(code, ja, en)
    for code, ja, en in (
        ("wifi", "高速Wi-Fi", "High-speed Wi-Fi"),
        ("wired_lan", "有線LAN", "Wired LAN"),
        ("seat_outlet", "座席電源", "Power outlet at seat"),
        ("meeting_booth", "Web会議用個室/ブース", "Web-meeting booth"),
        ("meeting_room", "会議室", "Meeting room"),
        ("monitor", "外部モニター", "External monitor"),
        ("printer", "複合機", "Printer/scanner"),
        ("lockers", "ロッカー", "Lockers"),
        ("ergonomic_chair", "人間工学チェア", "Ergonomic chair"),
        ("standing_desk", "昇降デスク", "Sit-stand desk"),
        ("free_drinks", "フリードリンク", "Free drinks"),
        ("access_24h", "24時間利用", "24-h access"),
        ("access_control", "入退室管理", "Access control"),
        ("cctv", "防犯カメラ", "CCTV"),
        ("backup_line", "予備回線", "Backup line"),
        ("backup_power", "非常用電源", "Backup power"),
        ("parking", "駐車場", "Parking"),
        ("bicycle", "駐輪場/レンタサイクル", "Bike parking/rental"),
        ("kitchen", "キッチン", "Kitchen"),
        ("laundry", "ランドリー", "Laundry"),
        ("shower", "シャワー", "Shower"),
        ("lodging_onsite", "宿泊併設", "On-site lodging"),
        ("long_stay_discount", "長期滞在割引", "Long-stay discount"),
        ("room_only_plan", "泊食分離プラン", "Room-only plan"),
        ("childcare", "託児・一時預かり", "Childcare"),
        ("kids_space", "キッズスペース", "Kids' area"),
        ("nursing_room", "授乳室", "Nursing room"),
        ("step_free", "段差なし入口", "Step-free entrance"),
        ("accessible_toilet", "バリアフリートイレ", "Accessible toilet"),
        ("elevator", "エレベーター", "Elevator"),
        ("aed", "AED", "AED"),
        ("english_support", "英語対応", "English support"),
        ("cashless", "キャッシュレス決済", "Cashless payment"),
        ("experiences", "体験プログラム", "Local experiences"),
        ("coordinator", "受入窓口", "Local coordinator"),
        ("pets", "ペット可", "Pet-friendly"),
    )
)
AMENITY_CODES: frozenset[str] = frozenset(a.code for a in AMENITIES)

CARRIERS: tuple[str, ...] = ("docomo", "au", "softbank", "rakuten", "rakuten_partner")
CARRIER_LABELS_JA = {
    "docomo": "NTTドコモ",
    "au": "au",
    "softbank": "ソフトバンク",
    "rakuten": "楽天モバイル",
    "rakuten_partner": "楽天モバイル(パートナー回線 au)",
}
CARRIER_LABELS_EN = {
    "docomo": "NTT docomo",
    "au": "au (KDDI)",
    "softbank": "SoftBank",
    "rakuten": "Rakuten Mobile",
    "rakuten_partner": "Rakuten Mobile (partner network, au)",
}
MOBILE_TECHNOLOGIES = ("5g", "4g", "none")
PLACEMENTS = ("indoor", "outdoor")
FACILITY_TYPES = (
    "coworking",
    "satellite_office",
    "lodging_workspace",
    "public_facility",
    "cafe",
    "other",
)
LOCATION_SOURCES = ("gps", "map", "manual", "geocoded", "postal")
LINE_TYPES = ("fiber", "catv", "dsl", "mobile", "satellite")
WIFI_SECURITY = ("none", "open", "wep", "wpa2", "wpa3")
CERTIFICATIONS = ("none", "business", "premium")
METRO_ORIGINS = ("tokyo", "osaka", "nagoya", "fukuoka")
TRANSPORT_OPTIONS = ("rental_car", "car_share", "bike_rental", "on_demand", "taxi")
HAZARD_ZONES = ("outside", "inside_with_plan", "inside")
MEASUREMENT_METHODS = ("browser", "speedtest-cli", "manual")

# The coded answers' labels (ja, en) as plain data, for the pure scorer's reasons. The pages take
# their labels from the translation catalogs (forms/labels.py); tests/forms/test_catalog_labels.py
# holds the two equal.
CHOICE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "wifi_security": {
        "none": ("Wi-Fiなし", "No Wi-Fi"),
        "open": ("オープン(パスワードなし)", "Open (no password)"),
        "wep": ("WEP", "WEP"),
        "wpa2": ("WPA2", "WPA2"),
        "wpa3": ("WPA3", "WPA3"),
    },
    "certification": {
        "none": ("なし", "None"),
        "business": ("ビジネス", "Business"),
        "premium": ("プレミアム", "Premium"),
    },
    "hazard_zone": {
        "outside": (
            "土砂災害・洪水・津波の警戒区域外",
            "Outside landslide, flood and tsunami zones",
        ),
        "inside_with_plan": ("区域内(避難計画の掲示あり)", "Inside a zone, evacuation plan posted"),
        "inside": ("区域内(避難計画の掲示なし)", "Inside a zone, no posted plan"),
    },
    "transport_options": {
        "rental_car": ("レンタカー", "Rental car"),
        "car_share": ("カーシェアリング", "Car sharing"),
        "bike_rental": ("レンタサイクル", "Bike rental"),
        "on_demand": ("デマンド交通", "On-demand transport"),
        "taxi": ("タクシー", "Taxi"),
    },
    "line_type": {
        "fiber": ("光回線(FTTH)", "Fibre (FTTH)"),
        "catv": ("ケーブルテレビ", "Cable TV"),
        "dsl": ("DSL", "DSL"),
        "mobile": ("モバイルルーター", "Mobile router"),
        "satellite": ("衛星通信", "Satellite"),
    },
    "metro_origin": {
        "tokyo": ("東京", "Tokyo"),
        "osaka": ("大阪", "Osaka"),
        "nagoya": ("名古屋", "Nagoya"),
        "fukuoka": ("福岡", "Fukuoka"),
    },
    "carrier": {code: (CARRIER_LABELS_JA[code], CARRIER_LABELS_EN[code]) for code in CARRIERS},
}
