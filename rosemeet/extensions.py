"""Extension objects, created here and bound to the app in ``create_app``."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from rosemeet.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
csrf = CSRFProtect()
login_manager = LoginManager()
#: one family of date formats on pages, in mails and exports, the same pattern in Dutch and in
#: British English: "12 jan 2027" / "12 Jan 2027", with "14:00" (never "12/01/2027, 14:00:00");
#: "long" and "full" keep the locale's own ("12 januari 2027", "dinsdag 12 januari 2027")
DATE_FORMATS = {
    **Babel.default_date_formats,
    "date.short": "d MMM y",
    "datetime.short": "d MMM y, HH:mm",
    "datetime.medium": "d MMM y, HH:mm",
    "time.medium": "HH:mm",
}
babel = Babel(date_formats=DATE_FORMATS)
