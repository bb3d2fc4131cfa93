"""Who a document names: address lists read back into addresses and display names, and the comparison key
that says when two display names are the same person.

Ingest stores an address field as "Name <address>; Name <address>; bare@address; Bare Name" (imports
write the producing party's values the same way). Each entry becomes a Party: an email address (lower
case, with the display name it was written with) or, when there is no address, a bare name.

Two display names are the same person when their keys are equal. The key takes the usual forms of a name
to one: "Lelling, Andrew", "Andrew Lelling", "ANDREW E. LELLING", "Andrew Lelling (USAMA)" and
"Dr. Andrew Lelling" all give "andrew lelling"; accents and case do not count ("José Núñez" =
"Jose Nunez"). Only a person's full name has a key: a single word ("Info", "Lelling"), a name with digits,
and anything with a word that names a role or an organisation ("Press Office", "Clerk of Court",
"Enron Announcements", "Acme, Inc.") have none and never join anyone. Role mailboxes (info@, press@,
noreply@ …) are kept apart too, whatever name they are written with (see is_role_address).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

FROM, TO, CC, BCC, REPLY_TO, AUTHOR = "from", "to", "cc", "bcc", "reply-to", "author"
RECIPIENT_ROLES = (TO, CC, BCC)
ADDRESS, NAME = "address", "name"
# Longer values are not names or addresses a person typed; they are cut so they can be keys.
MAX_VALUE = 320
MAX_DISPLAY = 200

_TITLES = frozenset("mr mrs ms miss mx dr prof professor hon honorable judge justice sgt sergeant det "
                    "detective lt capt officer atty attorney ada ausa rev sir dame special agent sa".split())
_DROPPED_SUFFIXES = frozenset("esq phd md cpa jd llm mba".split())
_GENERATIONS = frozenset("jr sr ii iii iv".split())
_ROLE_WORDS = frozenset(
    "info information support admin administrator administration team office desk help helpdesk service "
    "services sales news newsletter newsroom announcement announcements marketing billing accounts account "
    "noreply no-reply reply notification notifications alert alerts mailer daemon postmaster webmaster "
    "customer customers department dept group committee list staff all everyone users user hr it legal "
    "press media communications inc llc ltd corp corporation company co llp pc pllc association foundation "
    "board council court courts clerk clerks county city state bureau agency unit division system systems "
    "calendar reception enquiries inquiries contact contacts mail email the of and for unknown undisclosed "
    "recipients recipient editor editors editorial tips".split()
)
_ROLE_LOCAL_PARTS = frozenset(
    "info information support admin administrator office contact contacts sales help helpdesk news "
    "newsletter press media noreply no-reply no_reply donotreply do-not-reply do_not_reply postmaster "
    "mailer-daemon "
    "webmaster billing accounts hr team enquiries inquiries hello service services marketing notification "
    "notifications alerts abuse root reception clerk ecf newsdesk tips letters editor editors desk all "
    "everyone staff mail listserv majordomo announcements calendar".split()
)
_ROLE_LOCAL_PREFIXES = ("noreply", "no-reply", "no_reply", "donotreply", "bounce", "owner-", "mailer-")
_ANGLE = re.compile(r"^(?P<name>.*?)\s*<(?P<address>[^<>]*)>\s*$", re.DOTALL)
_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")
_QUOTES = "\"'`“”‘’ \t"


@dataclass(frozen=True)
class Party:
    """One entry of an address field: an address (with the name it was written with, if any) or a name."""

    kind: str  # ADDRESS | NAME
    value: str  # the address in lower case, or the name's key
    display: str  # the name as written; "" for a bare address
    domain: str = ""  # the address's domain


def parse_parties(text: str) -> list[Party]:
    """The parties of one address field (or an author field), in order, each once."""
    found: dict[tuple[str, str, str], Party] = {}
    for piece in _pieces(text):
        party = _party(piece)
        if party is not None:
            found.setdefault((party.kind, party.value, party.display), party)
    return list(found.values())


def _pieces(text: str) -> list[str]:
    pieces: list[str] = []
    for piece in text.replace("\r", " ").replace("\n", " ").split(";"):
        piece = piece.strip()
        # "a@x.org, b@y.org" (a load file's own separator): several bare addresses in one entry.
        if "<" not in piece and piece.count("@") > 1:
            pieces.extend(part for part in re.split(r"[,\s]+", piece) if part)
        elif piece:
            pieces.append(piece)
    return pieces


@lru_cache(maxsize=200_000)  # the same entries come back in message after message
def _party(piece: str) -> Party | None:
    match = _ANGLE.match(piece)
    if match:
        display, address = match.group("name"), match.group("address")
    elif _is_address(piece.strip(_QUOTES)):
        display, address = "", piece
    else:
        display, address = piece, ""
    display = clean_display(display)
    address = normalize_address(address)
    if address and not _is_address(address):
        # Not an internet address: a Lotus Notes name ("Tim Belden/Enron@EnronXGate"), an X.500 path.
        display = display or _name_in(address)
        address = ""
    if display and ("@" in display or display.upper().startswith("/O=")):
        display = "" if address else _name_in(display)
    if address:
        return Party(ADDRESS, address[:MAX_VALUE], display, address.rpartition("@")[2])
    if display:
        return Party(NAME, comparison_key(display)[:MAX_VALUE], display)
    return None


def clean_display(display: str) -> str:
    """A display name as a reader would write it: no surrounding quotes, single spaces."""
    return " ".join(display.strip(_QUOTES).split())[:MAX_DISPLAY]


def normalize_address(address: str) -> str:
    address = address.strip(_QUOTES + "<>")
    if address.lower().startswith("mailto:"):
        address = address[7:]
    return address.strip().rstrip(".").lower()


def _is_address(text: str) -> bool:
    local, at, domain = text.rpartition("@")
    return bool(at and local and "." in domain and not re.search(r"\s", text) and not domain.endswith("."))


def _name_in(text: str) -> str:
    """The person's name inside a mail system's own address: "Tim Belden/Enron@EnronXGate" → "Tim
    Belden"; "/O=ENRON/OU=NA/CN=RECIPIENTS/CN=KLAY" → "KLAY"."""
    common_names = re.findall(r"CN=([^/]+)", text, re.IGNORECASE)
    if common_names:
        return clean_display(common_names[-1])
    return clean_display(re.split(r"[/@]", text)[0])


def domain_of(address: str) -> str:
    return address.rpartition("@")[2]


def is_role_address(address: str) -> bool:
    """A mailbox of a role or a list (info@, press@, noreply@ …): several people write from it, so it never
    joins a person by name."""
    local = address.rpartition("@")[0]
    return local in _ROLE_LOCAL_PARTS or local.startswith(_ROLE_LOCAL_PREFIXES)


def plain_text(text: str) -> str:
    """Without accents, in one case, with curly apostrophes made straight."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def name_key(display: str) -> str | None:
    """The key of a person's full name ("andrew lelling"), or None when the text is not one."""
    text = _BRACKETED.sub(" ", plain_text(display))
    if "@" in text or any(c.isdigit() for c in text):
        return None
    parts = [part for part in (p.strip() for p in text.split(",")) if part]
    generation: list[str] = []
    while len(parts) > 1 and set(_WORD.findall(parts[-1])) <= _GENERATIONS | _DROPPED_SUFFIXES:
        generation = [w for w in _WORD.findall(parts.pop()) if w in _GENERATIONS] + generation
    if len(parts) == 2:  # "Last, First Middle"
        words = _WORD.findall(parts[1]) + _WORD.findall(parts[0])
    elif len(parts) == 1:
        words = _WORD.findall(parts[0])
    else:
        return None
    if any(word in _ROLE_WORDS for word in words):
        return None
    generation += [w for w in words if w in _GENERATIONS]
    words = [w for w in words if w not in _TITLES and w not in _DROPPED_SUFFIXES and w not in _GENERATIONS
             and len(w) > 1]
    if not 2 <= len(words) <= 5:
        return None
    return " ".join(words + generation)


def loose_key(display: str) -> str:
    """Any name's key for looking it up: no accents, one case, punctuation as spaces."""
    return " ".join(re.split(r"[\W_]+", plain_text(display))).strip()


def comparison_key(display: str) -> str:
    """The key a name is stored and found under: its full-name key, else its loose key."""
    return name_key(display) or loose_key(display)
