"""Texts a citizen reads, Swedish by default and English on request (see ADR 80).

Every such text is a key in a service's :class:`Catalog`, with a Swedish and an English template. Code that
produces a text makes a :class:`Message` (a key and its parameters) and renders it in a language only where
it is shown: an answer renders it in the request's language (negotiated from ``Accept-Language``), a letter
in the language stored with the case. What is shown later (a timeline reason) is stored as the key and its
parameters, so it is read in the reader's language.

Templates use ``str.format`` fields (``{caseNumber}``). A template may instead be a pair of plural forms,
``{"one": ..., "other": ...}``, chosen by the integer parameter ``count``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, Literal, TypeAlias, cast

from pydantic import BaseModel, ConfigDict, WithJsonSchema

Language = Literal["sv", "en"]
LANGUAGES: tuple[Language, ...] = ("sv", "en")
DEFAULT_LANGUAGE: Language = "sv"

Template: TypeAlias = str | Mapping[Literal["one", "other"], str]
Param: TypeAlias = "str | int | Message"

_current: ContextVar[Language] = ContextVar("language", default=DEFAULT_LANGUAGE)
_CATALOGS: dict[str, Catalog] = {}


def current_language() -> Language:
    """The language of the request being answered (Swedish outside one)."""
    return _current.get()


@contextmanager
def using_language(language: Language) -> Iterator[None]:
    token = _current.set(language)
    try:
        yield
    finally:
        _current.reset(token)


def language_of(value: object) -> Language:
    """A stored language code, or Swedish for anything else (cases filed before languages were stored)."""
    for language in LANGUAGES:
        if value == language:
            return language
    return DEFAULT_LANGUAGE


_RANGE = re.compile(r"^\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*[qQ]\s*=\s*([0-9.]{1,5})\s*)?$")


def negotiate(accept_language: str | None) -> Language:
    """The language to answer in: the supported one the client weighs highest (RFC 9110 q-values, the first
    named wins a tie), and Swedish when it names none of ours or sends nothing readable."""
    best: tuple[float, int, Language] | None = None
    for position, part in enumerate((accept_language or "").split(",")[:32]):
        matched = _RANGE.match(part)
        if matched is None:
            continue
        tag, weight = matched.group(1).lower(), matched.group(2)
        try:
            quality = 1.0 if weight is None else float(weight)
        except ValueError:
            continue
        if not 0 < quality <= 1:
            continue
        primary = tag.split("-")[0]
        language: Language | None = (
            DEFAULT_LANGUAGE if primary == "*" else cast(Language, primary) if primary in LANGUAGES else None
        )
        if language is not None and (best is None or quality > best[0]):
            best = (quality, position, language)
    return best[2] if best is not None else DEFAULT_LANGUAGE


def placeholders(template: Template) -> set[str]:
    """The parameters a template names (both plural forms together)."""
    texts = [template] if isinstance(template, str) else list(template.values())
    names = {name for text in texts for _, name, _, _ in string.Formatter().parse(text) if name}
    return names | ({"count"} if not isinstance(template, str) else set())


class Catalog:
    """One service's texts: the same keys in Swedish and English, each with the same placeholders."""

    def __init__(self, name: str, texts: Mapping[Language, Mapping[str, Template]]) -> None:
        self.name = name
        self.texts = texts
        _CATALOGS[name] = self

    def __call__(self, key: str, /, **params: Param) -> Message:
        """The message ``key`` with ``params``; a key not in the catalog is a programming error."""
        if key not in self.texts[DEFAULT_LANGUAGE]:
            raise KeyError(f"{self.name} has no text {key!r}")
        return Message(self, key, params)

    def render(self, key: str, params: Mapping[str, Param], language: Language) -> str:
        template = self.texts[language][key]
        values = {k: v.render(language) if isinstance(v, Message) else v for k, v in params.items()}
        if not isinstance(template, str):
            template = template["one"] if values.get("count") == 1 else template["other"]
        return template.format(**values)

    def problems(self) -> list[str]:
        """What makes the catalog incomplete: a key missing in a language, or placeholders that differ."""
        found: list[str] = []
        swedish, english = self.texts["sv"], self.texts["en"]
        for key in sorted(set(swedish) ^ set(english)):
            found.append(f"{self.name}: {key} is only in {'sv' if key in swedish else 'en'}")
        for key in sorted(set(swedish) & set(english)):
            if placeholders(swedish[key]) != placeholders(english[key]):
                found.append(f"{self.name}: {key} has other placeholders in sv than in en")
            for template in (swedish[key], english[key]):
                if not isinstance(template, str) and set(template) != {"one", "other"}:
                    found.append(f"{self.name}: {key} needs exactly the plural forms one and other")
        return found

    def stored(self, stored: Mapping[str, object]) -> Message:
        """A message read back from :meth:`Message.stored`."""
        raw = stored.get("params")
        params: dict[str, Param] = {}
        for name, value in raw.items() if isinstance(raw, Mapping) else ():
            params[str(name)] = (
                _CATALOGS[str(value.get("catalog", self.name))].stored(cast(Mapping[str, object], value))
                if isinstance(value, Mapping)
                else value
                if isinstance(value, int)
                else str(value)
            )
        return self(str(stored["key"]), **params)


@dataclass(frozen=True)
class Message:
    """A text before its language is chosen."""

    catalog: Catalog = field(repr=False, compare=False)
    key: str
    params: Mapping[str, Param] = field(default_factory=dict)

    def render(self, language: Language | None = None) -> str:
        """The text in ``language``, by default the current request's."""
        return self.catalog.render(self.key, self.params, language or current_language())

    def stored(self) -> dict[str, object]:
        """The key and parameters as JSON-ready data, to render in the reader's language later."""
        return {
            "key": self.key,
            "params": {
                k: {"catalog": v.catalog.name, **v.stored()} if isinstance(v, Message) else v
                for k, v in self.params.items()
            },
        }

    def __str__(self) -> str:
        return self.render()

    def kept(self) -> LocalText:
        """The message as a model field keeps it, to be rendered in the reader's language when shown."""
        return LocalText(catalog=self.catalog.name, key=self.key, params=self.stored()["params"])


class LocalText(BaseModel):
    """A stored text: its catalog, key and parameters, or (for texts kept as data, such as a decision rule's
    reason) the text itself in every language. An answer shows it in the request's language
    (:func:`localized`, which the resolver applies to every answer)."""

    model_config = ConfigDict(frozen=True)

    catalog: str = ""
    key: str = ""
    params: dict[str, Any] = {}
    texts: dict[Language, str] | None = None

    def render(self, language: Language | None = None) -> str:
        language = language or current_language()
        if self.texts is not None:
            return self.texts.get(language) or self.texts[DEFAULT_LANGUAGE]
        return _CATALOGS[self.catalog].stored({"key": self.key, "params": self.params}).render(language)

    def __str__(self) -> str:
        return self.render()


Localized = Annotated[str | LocalText, WithJsonSchema({"type": "string"})]
"""A field a citizen reads: a text kept as a catalog key (or, from staff, as written), shown as a string."""


def kept(text: Text | LocalText) -> str | LocalText:
    """What a :data:`Localized` field keeps of ``text``."""
    return text.kept() if isinstance(text, Message) else text


def shown(text: str | LocalText | Message, language: Language | None = None) -> str:
    """A kept text as ``language`` (by default the request's) reads it."""
    return text if isinstance(text, str) else text.render(language)


def localized(value: Any, language: Language | None = None) -> Any:
    """``value`` with every :class:`LocalText` in it (in models, lists and dicts, however deep) rendered."""
    if isinstance(value, LocalText):
        return value.render(language)
    if isinstance(value, BaseModel):
        changed = {}
        for name in type(value).model_fields:
            inner = getattr(value, name)
            shown = localized(inner, language)
            if shown is not inner:
                changed[name] = shown
        return value.model_copy(update=changed) if changed else value
    if isinstance(value, dict):
        items = {k: localized(v, language) for k, v in value.items()}
        return items if any(items[k] is not value[k] for k in value) else value
    if isinstance(value, list | tuple):
        shown_items = [localized(v, language) for v in value]
        if all(a is b for a, b in zip(shown_items, value, strict=True)):
            return value
        return type(value)(shown_items) if isinstance(value, tuple) else shown_items
    return value


Text: TypeAlias = str | Message
"""A text that may not be localized yet (a literal from code outside the catalogs is shown as it is)."""


def render(text: Text, language: Language | None = None) -> str:
    return text.render(language) if isinstance(text, Message) else text


class InvalidValue(ValueError):
    """A validator's refusal whose reason is in a catalog: pydantic keeps the exception in the error's
    context, so the resolver can render the reason in the request's language; ``str()`` stays English."""

    def __init__(self, message: Text) -> None:
        super().__init__(render(message, "en"))
        self.message = message


def spelled_date(day: date, language: Language | None = None) -> str:
    """``22 februari 2027`` / ``22 February 2027``."""
    return spelled(day).render(language)


def spelled(day: date) -> Message:
    """A day as a message, spelled in whichever language it is rendered (and kept) in."""
    from shared.messages import TEXTS

    return TEXTS("date.spelled", day=day.day, month=TEXTS(f"month.{day.month}"), year=day.year)
