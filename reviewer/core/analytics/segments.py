"""An email body split into the messages it holds: the sender's own text, then each quoted or forwarded
message below it, newest first.

A quoted message starts at a quoted-header block in one of the forms mail programs write in English:
  -----Original Message-----            (Outlook; also "----- Original Message -----", Thunderbird's
  -----Forwarded Message----- …          "-------- Original Message --------", "Forwarded Message")
  ________________________________      (Outlook 2010 and later, followed by From:/Sent:/To:/Subject:)
  From: … Sent: … To: … Subject: …      (a header block with no separator line)
  On Mon, May 14, 2001 at 10:32 AM, Ada Quill <ada@…> wrote:      (Gmail, Apple Mail, Thunderbird)
  Ada Quill wrote:   --- Ada Quill wrote:                          (short attributions, Yahoo)
  ---------- Forwarded message ---------                           (Gmail)
  Begin forwarded message:                                         (Apple Mail)
  ---------------------- Forwarded by Ada Quill/HOU/ECT on 12/06/2000 10:00 AM -------------   (Lotus Notes)
  Ada Quill <ada@…> on 11/28/2000 06:39:28 PM   /   From: Ada Quill on 02/07/2001 10:39 AM   (Lotus Notes)
  Ada Quill                             (Lotus Notes, indented: the sender, an optional "Sent by:" line,
  11/28/2000 06:39 PM                    the date, then To:, cc: and Subject:)
        To: Ben Ortiz/HOU/ECT@ECT
        Subject: Hearing moved
                    Ada Quill                                    (Lotus Notes' table of an Internet
                    <ada@quill-law        To:     ben@…           message: sender and date down the
                    .example>             cc:                     left, To/cc/Subject on the right)
                                          Subject:     Hearing moved
                    11/28/2000 06:39 PM
Quote marks (">") are taken off before looking, so a quote inside a quote is found at any depth.

Each segment is normalised to what survives quoting: its words (letters and digits, lowercased, as the search
index reads them), without mail links a client adds (<mailto:…>, [cid:…]); line breaks, indentation, quote
marks and punctuation do not count. Two segments are the same message when their words are the same.

Mail gateways append disclaimers to the bottom of what passes through them, so a quoted message can come
back longer than it was sent: for the last segment of a body, the keys of its words up to each of its last
paragraph breaks (`SplitBody.tail`) let a message whose text ends there still be found in it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from reviewer.core.search.analysis import words

REPLY = "reply"
FORWARD = "forward"

_QUOTE = re.compile(r"^(?:[ \t]*>)+[ \t]?")
_SEPARATOR = re.compile(
    r"-{2,}\s*(original message|original e-?mail|forwarded message|forwarded e-?mail|message d'origine)"
    r"\s*-{2,}",
    re.IGNORECASE,
)
_UNDERSCORES = re.compile(r"_{16,}")
_APPLE_FORWARD = re.compile(r"begin forwarded message\s*:?", re.IGNORECASE)
_LOTUS_FORWARD = re.compile(
    r"-{5,}\s*forwarded by\s+(?P<who>.+?)(?:\s+on\s+(?P<when>.+?))?\s*-*$", re.IGNORECASE
)
_ON_WROTE = re.compile(
    r"on\s+(?P<when>.+?),?\s+(?P<who>[^,]+?(?:<[^>]*>)?)\s+(?:wrote|writes)\s*:", re.IGNORECASE
)
_WROTE = re.compile(r"(?:-{2,}\s*)?(?P<who>[^:]{2,80}?)\s+(?:wrote|writes)\s*:\s*>?$", re.IGNORECASE)
_HEADER = re.compile(r"(from|sent|date|to|cc|bcc|subject)\s*:\s*(.*)", re.IGNORECASE)
_LOTUS_ON = re.compile(
    r"(?:from\s*:\s*)?(?P<who>.+?)\s+on\s+(?P<when>\d{1,2}/\d{1,2}/\d{2,4}\s+\d{1,2}:\d{2}"
    r"(?::\d{2})?\s*[AP]M)\s*$",
    re.IGNORECASE,
)
_FROM_WITH_DATE = re.compile(
    r"from\s*:\s*(?P<who>.+?)\s{2,}(?P<when>\d{1,2}/\d{1,2}/\d{2,4}\s+\d{1,2}:\d{2}"
    r"(?::\d{2})?\s*[AP]M)\s*$",
    re.IGNORECASE,
)
_CLIENT_NOISE = re.compile(
    r"<mailto:[^>]*>|\[mailto:[^\]]*\]|\[cid:[^\]]*\]|<https?://[^>]*>|\[image:[^\]]*\]", re.IGNORECASE
)
_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
# A From value Outlook wrapped: its address part on the next line ("[mailto:…]", "<…@…>").
_ADDRESS_PART = re.compile(r"\[mailto:|<[^>\s]*@")
_SUBJECT_PREFIX = re.compile(
    r"^\s*(?:(?:re|fw|fwd|aw|sv|wg|tr|antw)\s*(?:\[\d+\])?\s*:\s*|\[[^\]]*\]\s*)+", re.IGNORECASE
)
_FORWARD_PREFIX = re.compile(r"^\s*(?:\[[^\]]*\]\s*)*(?:fw|fwd|wg|tr)\s*(?:\[\d+\])?\s*:", re.IGNORECASE)
_REPLY_PREFIX = re.compile(r"^\s*(?:\[[^\]]*\]\s*)*(?:re|aw|sv|antw)\s*(?:\[\d+\])?\s*:", re.IGNORECASE)
_LOTUS_WHEN = re.compile(r"\d{1,2}/\d{1,2}/\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?\s*[AP]M", re.IGNORECASE)
# A label in the right-hand column of Lotus Notes' header table: after a wide gap, or deeply indented.
_COLUMN_LABEL = re.compile(
    r"(?:^\s{10,}|\S\s{3,})(?P<label>to|cc|subject)\s*:\s*(?P<value>.*)", re.IGNORECASE
)
_COLUMN_INDENT = 10
_COLUMN_GAP = re.compile(r"\s{3,}")
_COLUMN_TIME = re.compile(r"[\d/:. ]+(?:[AP]M)?", re.IGNORECASE)  # "10/31/2001", "04:57 PM"
# How far below a separator line its header block may start, and how long a header block may run.
_HEADER_LOOKAHEAD = 4
_HEADER_SPAN = 14
# Mail programs wrap header lines at 72–78 characters: a Subject line this long may go on below.
_WRAP_WIDTH = 60
# How many of the last segment's paragraph breaks a shorter quoted message may end at (see the module doc).
_TAIL_PARAGRAPHS = 16


@dataclass(frozen=True)
class Segment:
    """One message inside a body: who wrote it and when (as the quoted header says; empty for the sender's
    own text, whose header is the email's), how it was introduced, and its normalised words."""

    key: str  # a hash of the normalised words; "" when it has none
    words: int
    author: str = ""
    date: datetime | None = None  # as written; in UTC when the header gave a zone (`utc`)
    utc: bool = False
    subject: str = ""
    kind: str = ""  # REPLY or FORWARD: how this quoted message was brought in


@dataclass
class _Header:
    kind: str
    author: str = ""
    when: str = ""
    subject: str = ""
    to: str = ""
    body_start: int = 0  # the line where the quoted message's own text starts


@dataclass
class SplitBody:
    """A body's segments, its own text first; `tail`: keys of the last segment's words up to each of its
    last paragraph breaks (shortest first)."""

    segments: list[Segment] = field(default_factory=list)
    tail: list[str] = field(default_factory=list)

    @property
    def own(self) -> Segment:
        return self.segments[0]

    @property
    def quoted(self) -> list[Segment]:
        return self.segments[1:]


def split_body(body: str) -> SplitBody:
    """The sender's own text, then every quoted message below it (newest first)."""
    lines = [_QUOTE.sub("", line).rstrip() for line in body.replace("\r\n", "\n").split("\n")]
    found: list[tuple[int, _Header]] = []
    i = 0
    while i < len(lines):
        header = _boundary(lines, i)
        if header is None:
            i += 1
            continue
        found.append((i, header))
        i = max(header.body_start, i + 1)
    starts = [start for start, _ in found] + [len(lines)]
    segments = [_segment(lines[: starts[0]], _Header(kind=""))]
    for number, (_start, header) in enumerate(found):
        segments.append(_segment(lines[header.body_start : starts[number + 1]], header))
    last = found[-1][1].body_start if found else 0
    return SplitBody(segments, _tail(lines[last:]))


def _tail(lines: list[str]) -> list[str]:
    """Keys of the words up to each paragraph break of `lines` (the last _TAIL_PARAGRAPHS of them)."""
    keys: list[str] = []
    found: list[str] = []
    paragraph: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            paragraph.append(line)
        elif paragraph:
            if found:
                keys.append(words_key(found))
            found += normal_words("\n".join(paragraph))
            paragraph = []
    return keys[-_TAIL_PARAGRAPHS:]


def split_document(text: str) -> tuple[SplitBody, _Header | None]:
    """For a document with no email headers of its own (a printed email, a pasted chain): its segments
    with the message it holds first, and that message's header as the text gives it (None when the text
    does not start with a quoted-header block, i.e. it is not a message)."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    first = next((n for n, line in enumerate(lines) if line.strip()), None)
    if first is None or first > 3:
        return SplitBody([_segment([], _Header(kind=""))]), None
    header = _boundary(lines, first)
    if header is None or not header.author or not (header.when or header.subject):
        return SplitBody([_segment([], _Header(kind=""))]), None
    body = split_body("\n".join(lines[header.body_start :]))
    own = body.segments[0]
    date, utc = parse_date(header.when)
    body.segments[0] = Segment(own.key, own.words, header.author, date, utc, header.subject, "")
    return body, header


def _boundary(lines: list[str], i: int) -> _Header | None:
    line = lines[i].strip()
    if not line:
        return None
    lowered = line.lower()
    if _SEPARATOR.fullmatch(line) or _APPLE_FORWARD.fullmatch(line):
        kind = FORWARD if "forward" in lowered else REPLY
        return _header_after(lines, i + 1, kind) or _Header(kind, body_start=i + 1)
    if _UNDERSCORES.fullmatch(line):
        return _header_after(lines, i + 1, REPLY)
    if lowered.startswith("-----") and "forwarded by" in lowered:
        joined = line if line.endswith("---") or i + 1 >= len(lines) else f"{line} {lines[i + 1].strip()}"
        match = _LOTUS_FORWARD.match(joined)
        if match is None:
            return None
        start = i + (1 if joined == line else 2)
        inner = _header_after(lines, start, FORWARD)
        if inner is not None:
            return inner
        return _Header(FORWARD, match.group("who").split("/")[0], match.group("when") or "", body_start=start)
    if lowered.startswith("on ") or lowered.endswith(("wrote:", "writes:", "wrote: >")):
        joined = line
        if lowered.startswith("on ") and not _ON_WROTE.match(line) and i + 1 < len(lines):
            joined = f"{line} {lines[i + 1].strip()}"
        match = _ON_WROTE.match(joined)
        if match is not None:
            return _Header(
                REPLY,
                match.group("who").strip(" \"'"),
                match.group("when"),
                body_start=i + (1 if joined == line else 2),
            )
        match = _WROTE.fullmatch(line)
        if match is not None and not lowered.startswith(("on ", "he ", "she ", "they ", "you ", "i ")):
            return _Header(REPLY, match.group("who").strip(" \"'-"), body_start=i + 1)
        return None
    if lowered.startswith("from"):
        match = _FROM_WITH_DATE.match(line) or _LOTUS_ON.match(line)
        if match is not None:
            return _lotus_header(lines, i, match.group("who"), match.group("when"))
        return _header_block(lines, i, REPLY, require_sent=True)
    match = _LOTUS_ON.match(line)
    if match is not None and "@" not in line.split(" on ")[-1] and _next_is(lines, i + 1, "to"):
        return _lotus_header(lines, i, match.group("who"), match.group("when"))
    return _lotus_block(lines, i) or _lotus_table(lines, i)


def _lotus_block(lines: list[str], i: int) -> _Header | None:
    """Lotus Notes' header in lines of its own: the sender, an optional "Sent by:" line, the date and
    time, then To:, cc: and Subject: lines."""
    when = i + 1
    if when < len(lines) and lines[when].strip().lower().startswith("sent by:"):
        when += 1
    if when >= len(lines) or not _LOTUS_WHEN.fullmatch(lines[when].strip()):
        return None
    who = lines[i].strip()
    if len(who) > 80 or _HEADER.match(who) or not _next_is(lines, when + 1, "to"):
        return None
    return _lotus_header(lines, when, who, lines[when].strip())


def _lotus_table(lines: list[str], i: int) -> _Header | None:
    """Lotus Notes' header of an Internet message as a table: the sender's name, address, date and time
    down an indented left column, To:, cc: and Subject: in a column to the right. The table ends after
    the Subject line (and a wrapped subject) with the last indented or blank line."""
    indent = _indent(lines[i])
    if indent < _COLUMN_INDENT or _COLUMN_LABEL.search(lines[i]):
        return None
    labels: dict[str, tuple[int, str]] = {}
    for j in range(i + 1, min(i + _HEADER_SPAN, len(lines))):
        match = _COLUMN_LABEL.search(lines[j])
        if match is not None:
            labels.setdefault(match.group("label").lower(), (j, match.group("value").strip()))
        if "subject" in labels or j > i + 3 and "to" not in labels:
            break
    if "to" not in labels or "subject" not in labels:
        return None
    end, subject = labels["subject"]
    end += 1
    if (
        end + 1 < len(lines)
        and lines[end].strip()
        and _indent(lines[end]) < _COLUMN_INDENT
        and _indent(lines[end + 1]) >= _COLUMN_INDENT
    ):
        subject, end = f"{subject} {lines[end].strip()}", end + 1  # a subject the quoting wrapped
    while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) >= _COLUMN_INDENT):
        end += 1
    left = [_left_column(line, indent) for line in lines[i:end]]
    when = " ".join(text for text in left[1:] if text and _COLUMN_TIME.fullmatch(text))
    return _Header(REPLY, left[0], when, subject, labels["to"][1], body_start=end)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip()) if line.strip() else 0


def _left_column(line: str, indent: int) -> str:
    """The text of a table row's left column (starting at `indent`), up to the gap before the next."""
    if abs(_indent(line) - indent) > 2:
        return ""
    return _COLUMN_GAP.split(line.strip(), maxsplit=1)[0]


def _next_is(lines: list[str], start: int, name: str) -> bool:
    for line in lines[start : start + 3]:
        if line.strip():
            header = _HEADER.match(line.strip())
            return header is not None and header.group(1).lower() == name
    return False


def _lotus_header(lines: list[str], i: int, who: str, when: str) -> _Header:
    header = _Header(REPLY, who.split("/")[0].strip(), when, body_start=i + 1)
    block = _header_block(lines, i + 1, REPLY, require_sent=False, need_from=False)
    if block is not None:
        header.subject, header.to, header.body_start = block.subject, block.to, block.body_start
    return header


def _header_after(lines: list[str], start: int, kind: str) -> _Header | None:
    """The header block that follows a separator line, within a few lines."""
    for i in range(start, min(start + _HEADER_LOOKAHEAD, len(lines))):
        stripped = lines[i].strip()
        if not stripped:
            continue
        if stripped.lower().startswith("from"):
            lotus = _FROM_WITH_DATE.match(stripped) or _LOTUS_ON.match(stripped)
            if lotus is not None:
                header = _lotus_header(lines, i, lotus.group("who"), lotus.group("when"))
                header.kind = kind
                return header
            return _header_block(lines, i, kind, require_sent=False)
        lotus = _LOTUS_ON.match(stripped)
        found = (
            _lotus_header(lines, i, lotus.group("who"), lotus.group("when"))
            if lotus is not None
            else _lotus_block(lines, i) or _lotus_table(lines, i)
        )
        if found is not None:
            found.kind = kind
            return found
        if not _HEADER.match(stripped):
            return None
    return None


def _header_block(
    lines: list[str], start: int, kind: str, require_sent: bool, need_from: bool = True
) -> _Header | None:
    """Header lines (From, Sent/Date, To, Cc, Subject) from `start`; wrapped values continue on lines
    without a label (a From only with its address part). A block needs a From, and (when `require_sent`)
    a Sent or Date and a To or Subject, so that a line starting "From:" in running text is not taken for
    a header."""
    values: dict[str, str] = {}
    last = ""
    end = start
    gap = False  # a blank line since the last header line: no more wrapped values
    for i in range(start, min(start + _HEADER_SPAN, len(lines))):
        stripped = lines[i].strip()
        match = _HEADER.match(stripped)
        if match is not None and match.group(1).lower() not in values:
            last = match.group(1).lower()
            values[last] = match.group(2).strip()
            end, gap = i + 1, False
        elif not stripped:
            if "subject" in values or "from" in values and len(values) >= 3:
                break
            gap = True
        elif not gap and (last in ("to", "cc", "bcc") or last == "from" and _ADDRESS_PART.match(stripped)):
            values[last] += " " + stripped
            end = i + 1
        elif not gap and last == "subject" and end == i and _wrapped(lines, i):
            values[last] += " " + stripped
            end = i + 1
        else:
            break
    if need_from and "from" not in values or not values:
        return None
    if require_sent and not (
        ("sent" in values or "date" in values) and ("to" in values or "subject" in values)
    ):
        return None
    return _Header(
        kind,
        values.get("from", ""),
        values.get("sent") or values.get("date", ""),
        values.get("subject", ""),
        values.get("to", ""),
        body_start=end,
    )


def _wrapped(lines: list[str], i: int) -> bool:
    """Whether line `i` is the rest of a Subject line the mail program wrapped: the line above is as
    long as wrapped lines are, and a blank line (the end of the header block) follows."""
    return len(lines[i - 1].strip()) >= _WRAP_WIDTH and (i + 1 == len(lines) or not lines[i + 1].strip())


def _segment(lines: list[str], header: _Header) -> Segment:
    found = normal_words("\n".join(lines))
    date, utc = parse_date(header.when)
    return Segment(
        words_key(found),
        len(found),
        _clean_author(header.author),
        date,
        utc,
        header.subject.strip(),
        header.kind,
    )


def _clean_author(author: str) -> str:
    author = re.sub(r"\s*\[mailto:[^\]]*\]", lambda m: " <" + m.group(0).strip()[8:-1] + ">", author)
    return " ".join(author.split()).strip(" \"'")


def normal_words(text: str) -> list[str]:
    """The words of a message as they survive quoting and forwarding."""
    return words(_CLIENT_NOISE.sub(" ", text))


def words_key(found: list[str]) -> str:
    if not found:
        return ""
    return hashlib.blake2b(" ".join(found).encode("utf-8"), digest_size=10).hexdigest()


# --- subjects, people and dates ------------------------------------------------------------------------


def normal_subject(subject: str) -> str:
    """A subject without its Re:/Fw: prefixes and [tags], spacing and case, for comparing."""
    return " ".join(_SUBJECT_PREFIX.sub("", subject).split()).casefold()


def is_forward_subject(subject: str) -> bool:
    return _FORWARD_PREFIX.match(subject) is not None


def is_reply_subject(subject: str) -> bool:
    return _REPLY_PREFIX.match(subject) is not None


_ORG_PARTS = re.compile(r"/[^\s,;<]*")


def person_key(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """(addresses, name words) of a sender as any header or attribution writes it: "Quill, Ada",
    "Ada Quill <ada.quill@firm.example>", "Ada Quill/HOU/ECT@ECT", "ada.quill@firm.example"."""
    addresses = frozenset(a.lower() for a in _ADDRESS.findall(text))
    names = _ADDRESS.sub(" ", text)
    names = _ORG_PARTS.sub(" ", names.replace("@ ", " ").replace(" @", " "))
    tokens = {t for t in re.findall(r"[^\W\d_]{2,}", names.casefold())}
    for address in addresses:
        tokens.update(t for t in re.split(r"[._+'-]", address.split("@")[0]) if len(t) >= 2 and t.isalpha())
    tokens -= {"mailto", "on", "behalf", "of", "via"}
    return addresses, frozenset(tokens)


def same_person(first: str, second: str) -> bool:
    addresses_a, names_a = person_key(first)
    addresses_b, names_b = person_key(second)
    if addresses_a & addresses_b:
        return True
    common = names_a & names_b
    if len(common) >= 2:
        return True
    return len(common) == 1 and min(len(names_a), len(names_b)) == 1 and len(next(iter(common))) >= 3


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_TIME = r"(?:,?\s*(?:at\s+)?(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ap>[ap]\.?m\.?)?)?"
_NAMED = re.compile(
    r"(?:[a-z]+,?\s+)?(?P<mon>[a-z]{3,9})\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})" + _TIME,
    re.IGNORECASE,
)
_DAY_FIRST = re.compile(
    r"(?:[a-z]+,?\s+)?(?P<d>\d{1,2})\s+(?P<mon>[a-z]{3,9})\.?,?\s+(?P<y>\d{4})" + _TIME, re.IGNORECASE
)
_NUMERIC = re.compile(r"(?P<mo>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{2,4})" + _TIME, re.IGNORECASE)
_ISO = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})(?:[ T](?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?)?"
    r"(?P<ap>)"
)


_ZONE = re.compile(
    r"\s*\(?(?P<name>GMT|UTC)?\)?\s*(?:(?P<sign>[+-])(?P<hh>\d{2}):?(?P<mm>\d{2})\b)?", re.IGNORECASE
)


def parse_date(text: str) -> tuple[datetime | None, bool]:
    """A quoted header's date as (naive datetime, whether it is UTC). Mail programs write the sender's
    local time without a zone in most quoted headers; a zone, when given, is applied."""
    text = text.strip()
    if not text:
        return None, False
    for pattern in (_NAMED, _DAY_FIRST, _NUMERIC, _ISO):
        match = pattern.search(text)
        if match is None:
            continue
        parts = match.groupdict()
        month = int(parts["mo"]) if parts.get("mo") else _MONTHS.get((parts.get("mon") or "").lower())
        if month is None:
            continue
        year = int(parts["y"])
        year += 2000 if year < 50 else 1900 if year < 100 else 0
        hour, minute = int(parts.get("h") or 0), int(parts.get("mi") or 0)
        marker = (parts.get("ap") or "").lower().replace(".", "")
        if marker == "pm" and hour < 12:
            hour += 12
        elif marker == "am" and hour == 12:
            hour = 0
        try:
            found = datetime(year, month, int(parts["d"]), hour, minute, int(parts.get("s") or 0))
        except ValueError:
            continue
        zone = _ZONE.match(text[match.end() :])
        if zone is None or not (zone.group("name") or zone.group("sign")):
            return found, False
        if zone.group("sign"):
            offset = timedelta(hours=int(zone.group("hh")), minutes=int(zone.group("mm")))
            found = found - offset if zone.group("sign") == "+" else found + offset
        return found, True
    return None, False


def same_time(quoted: datetime | None, utc: bool, sent: datetime | None) -> bool:
    """Whether a quoted header's date can be the moment `sent` (UTC): exactly when the quote gave a zone,
    else in some time zone (whole quarter hours up to 14 hours away), within two minutes."""
    if quoted is None or sent is None:
        return False
    minutes = (quoted - sent) / timedelta(minutes=1)
    if utc:
        return abs(minutes) <= 2
    if abs(minutes) > 14 * 60 + 2:
        return False
    return abs(minutes - 15 * round(minutes / 15)) <= 2
