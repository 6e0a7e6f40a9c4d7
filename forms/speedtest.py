"""Starting a speedtest-cli run from a field station's survey page: where on the site it is."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import Length, Optional

from forms.fields import TextField

WHERE_MAX = 100  # the column (site_measurements.where_on_site) and the survey form's rule


class StationSpeedtestForm(FlaskForm):
    where_on_site = TextField(
        _l("Where on the site"),
        id="station-speedtest-where",
        description="",
        validators=[Optional(), Length(max=WHERE_MAX)],
        render_kw={"maxlength": WHERE_MAX, "autocomplete": "off"},
    )
