"""Quiz exports for an LMS, answer key included: Moodle GIFT and IMS QTI 2.1.

GIFT follows Moodle's writer (``question/format/gift/format.php``): the
reserved characters ``~ = # { } :`` and the backslash are escaped with a
backslash and newlines written as ``\\n``. QTI 2.1 packages use the standard
library's ``xml.etree`` and ``zipfile`` only. Both export the quiz's item pool
with canonical option ids (``o1``...), as the manager's database keys them.
"""

from __future__ import annotations

import io
import zipfile
from typing import Sequence
from xml.etree import ElementTree as ET

from .model import Quiz


# -- Moodle GIFT --------------------------------------------------------

_GIFT_RESERVED = {"\\": "\\\\", "~": "\\~", "=": "\\=", "#": "\\#", "{": "\\{", "}": "\\}", ":": "\\:",
                  "\n": "\\n", "\r": ""}


def gift_escape(text: str) -> str:
    """Escape text for GIFT as Moodle's own exporter does."""
    return "".join(_GIFT_RESERVED.get(ch, ch) for ch in text)


def gift(quiz: Quiz) -> str:
    """The quiz as Moodle GIFT text, key included (``=`` marks the right option)."""
    lines = [
        f"// {' '.join(quiz.title.split())}: flashcards quiz {quiz.id}",
        f"// {len(quiz.questions)} questions, pass mark {quiz.pass_mark}%. Import in Moodle: "
        "Question bank > Import > GIFT format.",
        "",
        f"$CATEGORY: $course$/flashcards/{gift_escape(quiz.id)}",
        "",
    ]
    for q in quiz.questions:
        name = f"{q.id} {q.kind.value} ({q.deck_id}/{q.entry_id})"
        lines.append(f"::{gift_escape(name)}::[plain]{gift_escape(q.prompt)} {{")
        for o in q.options:
            lines.append(f"\t{'=' if o.id == q.answer else '~'}{gift_escape(o.text)}")
        lines.append("}")
        lines.append("")
    return "\n".join(lines)


# -- IMS QTI 2.1 --------------------------------------------------------

QTI_NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
CP_XSD = "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
MATCH_CORRECT = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    body = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n"


def _paragraphs(parent: ET.Element, text: str) -> None:
    for chunk in text.split("\n\n"):
        p = ET.SubElement(parent, "p")
        lines = chunk.split("\n")
        p.text = lines[0]
        for line in lines[1:]:
            br = ET.SubElement(p, "br")
            br.tail = line


def qti_item_id(quiz: Quiz, question_id: str) -> str:
    return f"item-{quiz.id}-{question_id}"


def qti_item(quiz: Quiz, question) -> bytes:
    """One ``assessmentItem``: a single-choice interaction scored by the match_correct template."""
    root = ET.Element("assessmentItem", {
        "xmlns": QTI_NS, "xmlns:xsi": XSI_NS, "xsi:schemaLocation": f"{QTI_NS} {QTI_XSD}",
        "identifier": qti_item_id(quiz, question.id), "title": f"{question.id} {question.kind.value}",
        "adaptive": "false", "timeDependent": "false",
    })
    response = ET.SubElement(root, "responseDeclaration",
                             {"identifier": "RESPONSE", "cardinality": "single", "baseType": "identifier"})
    ET.SubElement(ET.SubElement(response, "correctResponse"), "value").text = question.answer
    outcome = ET.SubElement(root, "outcomeDeclaration",
                            {"identifier": "SCORE", "cardinality": "single", "baseType": "float"})
    ET.SubElement(ET.SubElement(outcome, "defaultValue"), "value").text = "0"
    body = ET.SubElement(root, "itemBody")
    _paragraphs(ET.SubElement(body, "div"), question.prompt)
    interaction = ET.SubElement(body, "choiceInteraction",
                                {"responseIdentifier": "RESPONSE", "shuffle": "true", "maxChoices": "1"})
    for option in question.options:
        ET.SubElement(interaction, "simpleChoice", {"identifier": option.id}).text = option.text
    ET.SubElement(root, "responseProcessing", {"template": MATCH_CORRECT})
    return _xml(root)


def qti_test(quiz: Quiz, hrefs: Sequence[tuple[str, str]]) -> bytes:
    """An ``assessmentTest`` with every item in order, in one section."""
    root = ET.Element("assessmentTest", {
        "xmlns": QTI_NS, "xmlns:xsi": XSI_NS, "xsi:schemaLocation": f"{QTI_NS} {QTI_XSD}",
        "identifier": f"test-{quiz.id}", "title": quiz.title,
    })
    part = ET.SubElement(root, "testPart",
                         {"identifier": "part-1", "navigationMode": "nonlinear", "submissionMode": "simultaneous"})
    section = ET.SubElement(part, "assessmentSection",
                            {"identifier": "section-1", "title": quiz.title, "visible": "true"})
    for identifier, href in hrefs:
        ET.SubElement(section, "assessmentItemRef", {"identifier": identifier, "href": href})
    return _xml(root)


def qti_manifest(quiz: Quiz, hrefs: Sequence[tuple[str, str]]) -> bytes:
    root = ET.Element("manifest", {
        "xmlns": CP_NS, "xmlns:xsi": XSI_NS, "xsi:schemaLocation": f"{CP_NS} {CP_XSD}",
        "identifier": f"manifest-{quiz.id}",
    })
    metadata = ET.SubElement(root, "metadata")
    ET.SubElement(metadata, "schema").text = "QTIv2.1 Package"
    ET.SubElement(metadata, "schemaversion").text = "1.0.0"
    ET.SubElement(root, "organizations")
    resources = ET.SubElement(root, "resources")
    test = ET.SubElement(resources, "resource",
                         {"identifier": f"test-{quiz.id}", "type": "imsqti_test_xmlv2p1", "href": "test.xml"})
    ET.SubElement(test, "file", {"href": "test.xml"})
    for identifier, _ in hrefs:
        ET.SubElement(test, "dependency", {"identifierref": identifier})
    for identifier, href in hrefs:
        resource = ET.SubElement(resources, "resource",
                                 {"identifier": identifier, "type": "imsqti_item_xmlv2p1", "href": href})
        ET.SubElement(resource, "file", {"href": href})
    return _xml(root)


def qti_package(quiz: Quiz) -> bytes:
    """A QTI 2.1 content package (zip): ``imsmanifest.xml``, ``test.xml``, ``items/<question>.xml``.

    Entries carry a fixed timestamp, so the same quiz always gives the same bytes.
    """
    hrefs = [(qti_item_id(quiz, q.id), f"items/{q.id}.xml") for q in quiz.questions]
    files = [("imsmanifest.xml", qti_manifest(quiz, hrefs)), ("test.xml", qti_test(quiz, hrefs))]
    files += [(href, qti_item(quiz, q)) for (_, href), q in zip(hrefs, quiz.questions)]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return out.getvalue()
