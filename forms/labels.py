"""Translated labels of the survey's coded choices (msgids in English, catalogs ja/en)."""

from flask_babel import lazy_gettext as _l

FACILITY_LABELS = {
    "coworking": _l("Coworking space"),
    "satellite_office": _l("Satellite office"),
    "lodging_workspace": _l("Lodging with workspace"),
    "public_facility": _l("Public facility"),
    "cafe": _l("Café"),
    "other": _l("Other"),
}
SOURCE_LABELS = {
    "gps": _l("GPS"),
    "map": _l("Map"),
    "manual": _l("Typed in"),
    "geocoded": _l("From the address"),
    "postal": _l("From the postal code"),
}
LINE_LABELS = {
    "fiber": _l("Fibre (FTTH)"),
    "catv": _l("Cable TV"),
    "dsl": _l("DSL"),
    "mobile": _l("Mobile router"),
    "satellite": _l("Satellite"),
}
WIFI_LABELS = {
    "none": _l("No Wi-Fi"),
    "open": _l("Open (no password)"),
    "wep": _l("WEP"),
    "wpa2": _l("WPA2"),
    "wpa3": _l("WPA3"),
}
CERT_LABELS = {"none": _l("None"), "business": _l("Business"), "premium": _l("Premium")}
METRO_LABELS = {
    "tokyo": _l("Tokyo"),
    "osaka": _l("Osaka"),
    "nagoya": _l("Nagoya"),
    "fukuoka": _l("Fukuoka"),
}
TRANSPORT_LABELS = {
    "rental_car": _l("Rental car"),
    "car_share": _l("Car sharing"),
    "bike_rental": _l("Bike rental"),
    "on_demand": _l("On-demand transport"),
    "taxi": _l("Taxi"),
}
HAZARD_LABELS = {
    "outside": _l("Outside landslide, flood and tsunami zones"),
    "inside_with_plan": _l("Inside a zone, evacuation plan posted"),
    "inside": _l("Inside a zone, no posted plan"),
}
TECH_LABELS = {"5g": "5G", "4g": "4G", "none": _l("No signal")}
PLACEMENT_LABELS = {"indoor": _l("Indoors"), "outdoor": _l("Outdoors")}
METHOD_LABELS = {
    "browser": _l("Browser test"),
    "speedtest-cli": "speedtest-cli",
    "manual": _l("Entered by hand"),
}
