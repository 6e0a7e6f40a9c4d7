"""What to export: the format and the filter (prefecture, municipality, review status, tier,
survey dates, name). Used by the dashboard's export page and by `flask export`."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError

from app.surveys.filters import TIERS
from app.surveys.models import ReviewStatus

FORMAT_LABELS = {
    "xlsx": _l("Excel workbook (.xlsx)"),
    "csv-utf8": _l("CSV, UTF-8 with BOM (Excel 2016 and later)"),
    "csv-sjis": _l("CSV, Shift_JIS (older software)"),
    "geojson": _l("GeoJSON (QGIS and other GIS)"),
}
PREFECTURE_CODE = r"^(0[1-9]|[1-3]\d|4[0-7])$"


class ExportForm(FlaskForm):
    format = SelectField(
        _l("Format"),
        choices=list(FORMAT_LABELS.items()),
        default="xlsx",
        validators=[InputRequired()],
    )
    prefecture = StringField(
        _l("Prefecture"),
        validators=[
            Optional(),
            Regexp(PREFECTURE_CODE, message=_l("Choose a prefecture from the list.")),
        ],
    )
    municipality = StringField(
        _l("Municipality"),
        validators=[
            Optional(),
            Regexp(r"^\d{6}$", message=_l("Choose a municipality from the list.")),
        ],
    )
    status = SelectField(
        _l("Status"),
        choices=[("", "")] + [(s.value, s.value) for s in ReviewStatus],
        default="",
    )
    tier = SelectField(_l("Readiness"), choices=[("", "")] + [(t, t) for t in TIERS], default="")
    surveyed_from = DateField(_l("Surveyed from"), name="from", validators=[Optional()])
    surveyed_to = DateField(_l("Surveyed until"), name="to", validators=[Optional()])
    q = StringField(_l("Search by name"), validators=[Optional(), Length(max=100)])

    def validate_surveyed_to(self, field: Any) -> None:
        start = self.surveyed_from.data
        if start and field.data and field.data < start:
            raise ValidationError(_l("The end of the period is before its start."))

    def validate_municipality(self, field: Any) -> None:
        prefecture = self.prefecture.data
        if field.data and prefecture and not field.data.startswith(prefecture):
            raise ValidationError(_l("This municipality is not in the chosen prefecture."))

    def filter_args(self) -> dict[str, str]:
        """The filter as query-string arguments (what SiteFilter.parse reads)."""
        values = {
            "prefecture": self.prefecture.data,
            "municipality": self.municipality.data,
            "status": self.status.data,
            "tier": self.tier.data,
            "from": self.surveyed_from.data.isoformat() if self.surveyed_from.data else "",
            "to": self.surveyed_to.data.isoformat() if self.surveyed_to.data else "",
            "q": (self.q.data or "").strip(),
        }
        return {key: value for key, value in values.items() if value}
