"""The password policy: long enough, not too long, not guessable, not one's own name or address.

Guessability is zxcvbn's estimate (offline: it ships ranked lists of 30,000 common passwords,
English words, names and keyboard patterns; ``LOCAL_WORDS`` adds Flemish ones); a score below
``MIN_SCORE`` means fewer than 10^8 guesses, which covers every password of those lists and their
simple variations (capitals, digits, years, l33t, repeats, keyboard walks).
"""

from __future__ import annotations

import re
import threading

from flask_babel import gettext as _
from zxcvbn import zxcvbn

#: shortest password accepted
MIN_PASSWORD_LENGTH = 10
#: longest password accepted (hashing cost and form abuse stay bounded)
MAX_PASSWORD_LENGTH = 1024
#: lowest zxcvbn score accepted (0-4; 3 = "safely unguessable", at least 10^8 guesses)
MIN_SCORE = 3
#: zxcvbn's running time grows fast with length: it judges this many leading characters
ZXCVBN_MAX_LENGTH = 72
#: parts of a name or address shorter than this are not looked for ("Mia" in "Miami")
MIN_PERSONAL_PART = 4

#: Dutch and Flemish words that common passwords here are made of (zxcvbn's lists are English);
#: zxcvbn also finds them with capitals, digits, years and l33t ("Welkom2024!", "Zomer123")
LOCAL_WORDS = (
    "wachtwoord",
    "paswoord",
    "passwoord",
    "welkom",
    "geheim",
    "hallo",
    "zomer",
    "winter",
    "lente",
    "herfst",
    "voetbal",
    "schatje",
    "liefje",
    "lieveke",
    "prinses",
    "vlaanderen",
    "belgie",
    "belgium",
    "brussel",
    "brugge",
    "kortrijk",
    "antwerpen",
    "leuven",
    "roeselare",
    "waregem",
    "oostende",
    "mechelen",
    "hasselt",
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
    "januari",
    "februari",
    "maart",
    "augustus",
    "oktober",
    "clubbrugge",
    "anderlecht",
    "rodeduivels",
)

# zxcvbn keeps the user inputs of a call in a module-level dictionary: one call at a time
_zxcvbn_lock = threading.Lock()


def _letters(text: str) -> str:
    """Lower case, letters and digits only: "Rita-Regisseur" -> "ritaregisseur"."""
    return re.sub(r"[\W_]+", "", text.lower())


def personal_words(email: str | None, name: str | None) -> list[str]:
    """The address, its local part, the whole name and each longer part of the name."""
    words = []
    if email:
        local = email.lower().partition("@")[0]
        words += [email.lower(), local, *re.split(r"[\W_]+", local)]
    if name:
        words += [name, *re.split(r"[\W_]+", name)]
    found = {_letters(word) for word in words}
    return sorted(word for word in found if len(word) >= MIN_PERSONAL_PART)


def password_problem(
    password: str, *, email: str | None = None, name: str | None = None
) -> str | None:
    """Why this password is refused (a translated sentence), or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("The password must be at least %(n)s characters long.", n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("The password can be at most %(n)s characters long.", n=MAX_PASSWORD_LENGTH)
    words = personal_words(email, name)
    flat = _letters(password)
    if any(word in flat for word in words):
        return _("The password must not contain your name or e-mail address.")
    with _zxcvbn_lock:
        score = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=[*words, *LOCAL_WORDS])["score"]
    if score < MIN_SCORE:
        return _(
            "This password is too easy to guess: it is a common password or a simple pattern."
            " Choose a longer phrase of unrelated words."
        )
    return None
