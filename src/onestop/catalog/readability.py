"""A readability check for citizen-facing text: long sentences and bureaucratic wording.

Plain words are a rule of the single window: a person should understand what to bring and
what he or she gets without a lawyer. The check flags, it does not forbid.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

MAX_WORDS = 20

BUREAUCRATIC = {
    "ru": [
        "осуществляется",
        "осуществление",
        "в соответствии с",
        "вышеуказанн",
        "нижеследующ",
        "услугополучател",
        "услугодател",
        "в целях",
        "в рамках",
        "предоставляется",
        "надлежащим образом",
        "в установленном порядке",
        "данный",
        "согласно",
    ],
    "kk": [
        "көрсетілетін қызметті алушы",
        "көрсетілетін қызметті беруші",
        "сәйкес(?!тенд)",
        "жоғарыда көрсетілген",
        "белгіленген тәртіппен",
        "жүзеге асырылады",
    ],
    "en": [
        "hereinafter",
        "pursuant to",
        "in accordance with",
        "whereas",
        "shall",
        "aforementioned",
        "herein",
        "thereof",
        "notwithstanding",
        "in the event that",
        "with respect to",
    ],
}

SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


@dataclass(frozen=True)
class Finding:
    kind: str  # "long_sentence" or "bureaucratic"
    language: str
    excerpt: str
    message: str


def check_text(text: str, language: str) -> list[Finding]:
    findings: list[Finding] = []
    for sentence in SENTENCE_END.split(text.strip()):
        words = sentence.split()
        if len(words) > MAX_WORDS:
            findings.append(
                Finding(
                    "long_sentence",
                    language,
                    " ".join(words[:8]) + " …",
                    str(
                        _("A sentence of %(count)d words; keep it under %(max)d.")
                        % {"count": len(words), "max": MAX_WORDS + 1}
                    ),
                )
            )
    lowered = text.casefold()
    for phrase in BUREAUCRATIC.get(language, []):
        if re.search(r"(?<!\w)" + phrase, lowered):
            findings.append(
                Finding(
                    "bureaucratic",
                    language,
                    phrase,
                    str(
                        _("“%(phrase)s” is official jargon; say it in plain words.")
                        % {"phrase": phrase}
                    ),
                )
            )
    return findings


def check_service(service) -> list[Finding]:
    """Findings in every citizen-facing text of a service, in every language."""
    findings = []
    for language in ("kk", "ru", "en"):
        for field in ("description", "result"):
            findings += check_text(getattr(service, f"{field}_{language}", ""), language)
    return findings
