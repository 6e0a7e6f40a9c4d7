"""The site survey: every field of the readiness rubric, its range, unit and section."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    MultipleFileField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.reference.codes import is_valid_municipality_code
from forms import catalog
from forms.fields import TextField, YesNoField, number
from forms.labels import (
    CERT_LABELS,
    FACILITY_LABELS,
    HAZARD_LABELS,
    LINE_LABELS,
    METHOD_LABELS,
    METRO_LABELS,
    PLACEMENT_LABELS,
    SOURCE_LABELS,
    TECH_LABELS,
    TRANSPORT_LABELS,
    WIFI_LABELS,
)
from forms.validators import (
    format_hhmm,
    in_japan,
    is_phone_number,
    is_uuid,
    normalize_postal_code,
    parse_hhmm,
    parse_timestamp,
)


def _choices(codes: tuple[str, ...], labels: dict[str, Any], blank: bool = True) -> list:
    options = [(code, labels[code]) for code in codes]
    return [("", _l("— choose —")), *options] if blank else options


class MeasurementForm(Form):
    """One speed run; hand-entered here, measured automatically by later tools."""

    uuid = HiddenField()
    measured_at = HiddenField(validators=[Optional()])
    method = SelectField(
        _l("Method"),
        choices=_choices(catalog.MEASUREMENT_METHODS, METHOD_LABELS, False),
        default="manual",
    )
    download_mbps = number(_l("Download"), 0, 10000, "Mbps")
    upload_mbps = number(_l("Upload"), 0, 10000, "Mbps")
    latency_ms = number(_l("Latency"), 0, 2000, "ms")
    jitter_ms = number(_l("Jitter"), 0, 1000, "ms")
    loss_pct = number(_l("Packet loss"), 0, 100, "%")
    server = TextField(_l("Test server or app"), validators=[Optional(), Length(max=200)])
    where_on_site = TextField(_l("Where on the site"), validators=[Optional(), Length(max=100)])
    # filled by the measuring tool (browser test, speedtest-cli); hidden on the form
    tool_version = TextField(_l("Tool"), validators=[Optional(), Length(max=40)])
    bytes_moved = number(_l("Data moved"), 0, 10**12, "B", integer=True)
    duration_s = number(_l("Duration"), 0, 3600, "s")

    RECORDED_BY_TOOL = ("tool_version", "bytes_moved", "duration_s")

    def validate_uuid(self, field: Any) -> None:
        if field.data and not is_uuid(field.data):
            raise ValidationError(_l("Not a valid UUID."))

    def validate_measured_at(self, field: Any) -> None:
        if field.data and parse_timestamp(field.data) is None:
            raise ValidationError(_l("Give the time as ISO 8601 with its offset."))

    MEASURED = ("download_mbps", "upload_mbps", "latency_ms", "jitter_ms", "loss_pct")

    @property
    def is_blank(self) -> bool:
        return all(getattr(self, name).data is None for name in self.MEASURED)

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        return self._check_speeds() and ok

    def _check_speeds(self) -> bool:
        """A run that measured anything needs both directions."""
        if self.is_blank:
            return True
        ok = True
        for name in ("download_mbps", "upload_mbps"):
            field = getattr(self, name)
            if field.data is None and not field.errors:
                field.errors.append(_l("A speed run needs download and upload."))
                ok = False
        return ok


class CoverageForm(Form):
    carrier = HiddenField()
    technology = SelectField(
        _l("Technology"),
        choices=_choices(catalog.MOBILE_TECHNOLOGIES, TECH_LABELS),
        validators=[Optional()],
    )
    rsrp_dbm = number(_l("Indoor RSRP"), -140, -44, "dBm", integer=True)
    signal_bars = number(_l("Signal bars"), 0, 5, _l("bars"), integer=True)
    placement = SelectField(
        _l("Measured"),
        choices=_choices(catalog.PLACEMENTS, PLACEMENT_LABELS),
        validators=[Optional()],
    )

    def validate_carrier(self, field: Any) -> None:
        if field.data not in catalog.CARRIERS:
            raise ValidationError(_l("Unknown carrier."))


def _hhmm(form: Any, field: Any) -> None:
    """A time as HH:MM; '9:00' and '９:００' are kept as '09:00'."""
    if not field.data:
        return
    minutes = parse_hhmm(field.data)
    if minutes is None:
        raise ValidationError(_l("Enter a time as HH:MM, e.g. 09:00."))
    field.data = format_hhmm(minutes)


MAX_RUNS = 30


class SurveyFields(Form):
    """All survey fields and their rules; SurveyForm adds CSRF for the browser."""

    # -- location
    name = TextField(_l("Name of the site"), validators=[DataRequired(), Length(max=200)])
    name_kana = TextField(_l("Name in kana"), validators=[Optional(), Length(max=200)])
    name_en = TextField(_l("Name in English"), validators=[Optional(), Length(max=200)])
    facility_type = SelectField(
        _l("Type of site"),
        choices=_choices(catalog.FACILITY_TYPES, FACILITY_LABELS),
        validators=[Optional()],
    )
    municipality_code = TextField(
        _l("Municipality code"),
        validators=[DataRequired(), Length(min=6, max=6)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    postal_code = TextField(
        _l("Postal code"), validators=[Optional()], render_kw={"inputmode": "numeric"}
    )
    address_town = TextField(_l("Town (町字)"), validators=[Optional(), Length(max=100)])
    address_line = TextField(_l("Block and number"), validators=[Optional(), Length(max=100)])
    building = TextField(_l("Building"), validators=[Optional(), Length(max=100)])
    phone = TextField(_l("Phone"), validators=[Optional()], render_kw={"inputmode": "tel"})
    website = TextField(_l("Website"), validators=[Optional(), Length(max=300)])
    latitude = number(_l("Latitude"), -90, 90, "°")
    longitude = number(_l("Longitude"), -180, 180, "°")
    location_source = SelectField(
        _l("How the location was taken"),
        choices=_choices(catalog.LOCATION_SOURCES, SOURCE_LABELS),
        validators=[Optional()],
    )
    location_accuracy_m = number(_l("Location accuracy"), 0, 100000, "m")
    location_fix_count = number(_l("GPS fixes averaged"), 0, 1000, "", integer=True)
    surveyed_on = DateField(_l("Survey date"), validators=[Optional()])

    # -- connectivity
    line_type = SelectField(
        _l("Line type"), choices=_choices(catalog.LINE_TYPES, LINE_LABELS), validators=[Optional()]
    )
    wifi_security = SelectField(
        _l("Wi-Fi security"),
        choices=_choices(catalog.WIFI_SECURITY, WIFI_LABELS),
        validators=[Optional()],
    )
    wifi_client_isolation = YesNoField(_l("Wi-Fi client isolation"))
    wifi_guest_network = YesNoField(_l("Separate guest network"))
    measurements = FieldList(FormField(MeasurementForm), min_entries=0, max_entries=MAX_RUNS)
    coverage = FieldList(FormField(CoverageForm), min_entries=0, max_entries=len(catalog.CARRIERS))

    # -- workspace
    seats = number(_l("Seats"), 0, 500, _l("seats"), integer=True)
    seats_with_outlet = number(_l("Power outlets at seats"), 0, 2000, _l("outlets"), integer=True)
    meeting_booths = number(_l("Web-meeting booths or rooms"), 0, 50, _l("rooms"), integer=True)
    chair_height_adjustable = YesNoField(_l("Chair height adjustable"))
    chair_back_adjustable = YesNoField(_l("Chair backrest adjustable"))
    chair_armrests = YesNoField(_l("Chair armrests"))
    desk_lux = number(_l("Desk illuminance"), 0, 100000, "lx", integer=True)
    temperature_c = number(_l("Room temperature"), -20, 50, "℃")
    humidity_pct = number(_l("Humidity"), 0, 100, "%")
    weekday_open = TextField(
        _l("Weekday opening time"),
        validators=[Optional(), _hhmm],
        render_kw={"placeholder": "09:00", "inputmode": "numeric"},
    )
    weekday_close = TextField(
        _l("Weekday closing time"),
        validators=[Optional(), _hhmm],
        render_kw={"placeholder": "18:00", "inputmode": "numeric"},
    )
    days_per_week = number(_l("Open days per week"), 0, 7, _l("days"), integer=True)
    certification = SelectField(
        _l("Japan Telework Association certification"),
        choices=_choices(catalog.CERTIFICATIONS, CERT_LABELS),
        validators=[Optional()],
    )

    # -- lodging
    lodging_minutes = number(
        _l("Minutes to the nearest licensed lodging"), 0, 1440, _l("min"), integer=True
    )
    lodging_accepts_3_nights = YesNoField(_l("Lodging accepts stays of 3 nights or more"))
    room_wifi_meets_g1 = YesNoField(_l("In-room Wi-Fi meets 5/3 Mbps"))
    room_desk_chair = YesNoField(_l("Desk and chair in the room"))
    long_stay_plan = YesNoField(_l("Weekly/monthly rate or a plan of 7+ nights"))
    rooms_within_30min = number(_l("Rooms within 30 minutes"), 0, 5000, _l("rooms"), integer=True)
    price_per_night_jpy = number(_l("Price per night"), 0, 200000, _l("yen"), integer=True)
    lodging_licence_no = TextField(
        _l("Lodging licence number"), validators=[Optional(), Length(max=60)]
    )

    # -- access
    metro_origin = SelectField(
        _l("Nearest major city"),
        choices=_choices(catalog.METRO_ORIGINS, METRO_LABELS),
        validators=[Optional()],
    )
    metro_minutes = number(_l("Door-to-door time from it"), 0, 1440, _l("min"), integer=True)
    station_name = TextField(_l("Nearest station"), validators=[Optional(), Length(max=100)])
    station_distance_m = number(_l("Distance to the station"), 0, 50000, "m", integer=True)
    station_latitude = number(_l("Station latitude"), -90, 90, "°")
    station_longitude = number(_l("Station longitude"), -180, 180, "°")
    bus_stop_distance_m = number(_l("Distance to the bus stop"), 0, 50000, "m", integer=True)
    bus_stop_latitude = number(_l("Bus stop latitude"), -90, 90, "°")
    bus_stop_longitude = number(_l("Bus stop longitude"), -180, 180, "°")
    transit_round_trips = number(
        _l("Public transport round trips per day"), 0, 500, _l("trips"), integer=True
    )
    transport_options = SelectMultipleField(
        _l("Local transport"),
        choices=_choices(catalog.TRANSPORT_OPTIONS, TRANSPORT_LABELS, False),
        validators=[Optional()],
    )

    # -- daily life
    clinic_distance_km = number(_l("Distance to the nearest clinic"), 0, 500, "km")
    clinic_minutes = number(_l("Minutes to the nearest clinic"), 0, 1440, _l("min"), integer=True)
    clinic_latitude = number(_l("Clinic latitude"), -90, 90, "°")
    clinic_longitude = number(_l("Clinic longitude"), -180, 180, "°")
    hospital_minutes = number(
        _l("Minutes to an emergency hospital"), 0, 1440, _l("min"), integer=True
    )
    store_distance_m = number(
        _l("Distance to a supermarket or convenience store"), 0, 50000, "m", integer=True
    )
    services_within_2km = YesNoField(_l("Pharmacy, ATM or post office within 2 km"))

    # -- engagement
    experience_programmes = number(
        _l("Bookable experience programmes"), 0, 100, _l("programmes"), integer=True
    )
    community_events_monthly = YesNoField(
        _l("Community or business-matching events at least monthly")
    )
    alliance_member = YesNoField(_l("Workation alliance member or in the prefectural network"))
    info_in_english = YesNoField(_l("Information published including English"))

    # -- safety
    hazard_zone = SelectField(
        _l("Hazard map (landslide, flood, tsunami)"),
        choices=_choices(catalog.HAZARD_ZONES, HAZARD_LABELS),
        validators=[Optional()],
    )
    evacuation_site_m = number(
        _l("Distance to a designated evacuation site"), 0, 50000, "m", integer=True
    )

    # -- amenities and notes
    amenities = SelectMultipleField(
        _l("Amenities"),
        choices=[(a.code, a.ja) for a in catalog.AMENITIES],
        validators=[Optional()],
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])

    check_municipality: Callable[[str], str | None] | None = None

    def validate_municipality_code(self, field: Any) -> None:
        if not is_valid_municipality_code(field.data or ""):
            raise ValidationError(_l("Not a valid municipality code (6 digits with check digit)."))
        if self.check_municipality is not None:
            problem = self.check_municipality(field.data)
            if problem:
                raise ValidationError(problem)

    def validate_postal_code(self, field: Any) -> None:
        normalized = normalize_postal_code(field.data or "")
        if normalized is None:
            raise ValidationError(_l("Enter a 7-digit postal code, e.g. 649-2211."))
        field.data = normalized

    def validate_phone(self, field: Any) -> None:
        if not is_phone_number(field.data):
            raise ValidationError(_l("Enter a phone number with digits and hyphens."))

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        for lat, lon in POINTS:
            ok = self._check_point(getattr(self, lat), getattr(self, lon)) and ok
        ok = self._check_hours() and ok
        return ok

    def validate_coverage(self, field: Any) -> None:
        carriers = [entry.form.carrier.data for entry in field]
        if len(carriers) != len(set(carriers)):
            raise ValidationError(_l("Each carrier can be recorded once."))

    def _check_point(self, lat: Any, lon: Any) -> bool:
        if lat.errors or lon.errors:
            return False
        if (lat.data is None) != (lon.data is None):
            (lon if lon.data is None else lat).errors.append(
                _l("Give both latitude and longitude.")
            )
            return False
        if lat.data is not None and not in_japan(lat.data, lon.data):
            lat.errors.append(
                _l("This point is outside Japan (latitude 20–46, longitude 122–154).")
            )
            return False
        return True

    def _check_hours(self) -> bool:
        opens, closes = self.weekday_open, self.weekday_close
        if opens.errors or closes.errors or not (opens.data or closes.data):
            return True
        if not (opens.data and closes.data):
            (closes if not closes.data else opens).errors.append(
                _l("Give both the opening and the closing time.")
            )
            return False
        if parse_hhmm(closes.data) <= parse_hhmm(opens.data):  # type: ignore[operator]
            closes.errors.append(_l("The closing time must be after the opening time."))
            return False
        return True


POINTS = (
    ("latitude", "longitude"),
    ("station_latitude", "station_longitude"),
    ("bus_stop_latitude", "bus_stop_longitude"),
    ("clinic_latitude", "clinic_longitude"),
)

SECTIONS: tuple[tuple[str, Any, tuple[str, ...]], ...] = (
    (
        "location",
        _l("Location"),
        (
            "name",
            "name_kana",
            "name_en",
            "facility_type",
            "municipality_code",
            "postal_code",
            "address_town",
            "address_line",
            "building",
            "phone",
            "website",
            "latitude",
            "longitude",
            "location_source",
            "location_accuracy_m",
            "location_fix_count",
            "surveyed_on",
        ),
    ),
    (
        "connectivity",
        _l("Connectivity"),
        (
            "line_type",
            "wifi_security",
            "wifi_client_isolation",
            "wifi_guest_network",
            "measurements",
            "coverage",
        ),
    ),
    (
        "workspace",
        _l("Workspace"),
        (
            "seats",
            "seats_with_outlet",
            "meeting_booths",
            "chair_height_adjustable",
            "chair_back_adjustable",
            "chair_armrests",
            "desk_lux",
            "temperature_c",
            "humidity_pct",
            "weekday_open",
            "weekday_close",
            "days_per_week",
            "certification",
        ),
    ),
    (
        "lodging",
        _l("Accommodation"),
        (
            "lodging_minutes",
            "lodging_accepts_3_nights",
            "room_wifi_meets_g1",
            "room_desk_chair",
            "long_stay_plan",
            "rooms_within_30min",
            "price_per_night_jpy",
            "lodging_licence_no",
        ),
    ),
    (
        "access",
        _l("Access and transport"),
        (
            "metro_origin",
            "metro_minutes",
            "station_name",
            "station_distance_m",
            "station_latitude",
            "station_longitude",
            "bus_stop_distance_m",
            "bus_stop_latitude",
            "bus_stop_longitude",
            "transit_round_trips",
            "transport_options",
        ),
    ),
    (
        "daily_life",
        _l("Daily-life services"),
        (
            "clinic_distance_km",
            "clinic_minutes",
            "clinic_latitude",
            "clinic_longitude",
            "hospital_minutes",
            "store_distance_m",
            "services_within_2km",
        ),
    ),
    (
        "engagement",
        _l("Local engagement"),
        (
            "experience_programmes",
            "community_events_monthly",
            "alliance_member",
            "info_in_english",
        ),
    ),
    ("safety", _l("Safety and accessibility"), ("hazard_zone", "evacuation_site_m")),
    ("amenities", _l("Amenities"), ("amenities",)),
    ("photos", _l("Photos"), ()),
    ("notes", _l("Notes"), ("notes",)),
)


class SurveyForm(FlaskForm, SurveyFields):
    """The browser's survey form: the same fields and rules, plus CSRF."""

    uuid = HiddenField()
    base_revision = HiddenField()
    photo_files = MultipleFileField(
        _l("Add photos"),
        render_kw={"accept": "image/jpeg,image/png,image/webp", "capture": "environment"},
    )
    photo_caption = TextField(
        _l("Caption for the new photos"), validators=[Optional(), Length(max=200)]
    )
    remove_photos = SelectMultipleField(_l("Remove"), choices=[], validate_choice=False)
    held_photos = HiddenField()  # photos chosen before the form was shown again (signed)
