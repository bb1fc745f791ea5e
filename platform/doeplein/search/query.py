"""Reading what people type into the search box into Wagtail's query objects.

The grammar is small and forgiving: words (all must match), ``"a phrase"``, ``word*`` for a prefix,
``a OR b`` for either, ``-word`` to leave out. Everything else (``:``, brackets, SQL or Lucene syntax,
lone quotes) is read as plain words: only letters and digits reach the search engine, so no input
can break a query. Long input is cut to :data:`MAX_TERMS` terms, with a note saying so.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from wagtail.search.query import And, Not, Or, Phrase, PlainText

MAX_CHARS = 1000
MAX_TERMS = 12
_WORD = re.compile(r"\w+", re.UNICODE)
_TOKEN = re.compile(r'"([^"]*)"|(\S+)')


class Prefix(PlainText):
    """Words whose last letters are left open (``flood*``). Backends without prefix search (and
    OpenSearch's compiler) read it as the plain word."""


@dataclass
class ParsedQuery:
    query: object = None  # a wagtail.search.query object, None when nothing can be searched for
    terms: list = field(default_factory=list)  # the words to highlight
    notes: list = field(default_factory=list)  # what people should know about how we read the input
    text: str = ""

    @property
    def empty(self):
        return self.query is None


def _words(text):
    return _WORD.findall(text.replace("_", " "))


def parse(text):
    """The :class:`ParsedQuery` for ``text`` (any string, any length)."""
    text = (text or "").strip()
    result = ParsedQuery(text=text[:MAX_CHARS])
    if not text:
        return result
    if len(text) > MAX_CHARS:
        result.notes.append(_("Your search was very long; we searched for its beginning only."))
        text = text[:MAX_CHARS]
    if text.count('"') % 2:
        text = text[: text.rfind('"')] + " " + text[text.rfind('"') + 1 :]  # a lone quote is no phrase

    clauses, excluded, pending_or, count, cut = [], [], False, 0, False
    for match in _TOKEN.finditer(text):
        phrase, token = match.group(1), match.group(2)
        negate = bool(token and token.startswith("-") and len(token) > 1)
        if token in ("OR", "|", "||"):
            pending_or = bool(clauses)
            continue
        if token in ("AND", "&", "&&", "+"):
            continue
        if phrase is not None:
            words = _words(phrase)
            atoms = [Phrase(" ".join(words))] if len(words) > 1 else [PlainText(w) for w in words]
        else:
            words = _words(token)
            prefix = token.rstrip(")]}").endswith("*") and bool(words)
            atoms = [PlainText(w) for w in words[:-1]] + (
                [Prefix(words[-1]) if prefix else PlainText(words[-1])] if words else []
            )
        if not atoms:
            continue
        if count + len(words) > MAX_TERMS:
            cut = True
            break
        count += len(words)
        if negate:
            excluded.extend(atoms)
            continue
        result.terms.extend(words)
        if pending_or and clauses:
            clauses[-1].append(atoms[0] if len(atoms) == 1 else And(atoms))
        else:
            clauses.extend([a] for a in atoms)
        pending_or = False
    if cut:
        result.notes.append(_("We searched for the first %(n)d words only.") % {"n": MAX_TERMS})
    if not clauses:
        if excluded:
            result.notes.append(_("Say what you are looking for, not only what to leave out."))
        return result
    parts = [c[0] if len(c) == 1 else Or(c) for c in clauses] + [Not(a) for a in excluded]
    result.query = parts[0] if len(parts) == 1 else And(parts)
    return result
