"""The two formats of GeoReport v2. XML is the spec's; JSON is its Spark-convention mapping: a
root that holds repeated elements (``<services><service>…``) is a JSON array, a root with
fields (``<discovery>``) an object; an absent value is ``null`` in JSON and an empty element in
XML; every id is a string. Errors are ``[{"code": …, "description": …}]`` / ``<errors>``."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree

from fastapi.responses import Response

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# a list inside an element holds children named for one of its entries
SINGULAR = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


class Open311Error(Exception):
    """One or more errors for the client, answered with ``status`` in the spec's shape."""

    def __init__(self, status: int, *descriptions: str, code: int | None = None) -> None:
        super().__init__("; ".join(descriptions))
        self.status = status
        self.errors = [{"code": code or status, "description": d} for d in descriptions]


def format_of(name: str) -> str | None:
    """``json`` or ``xml`` from the path's extension; None for anything else."""
    return name if name in FORMATS else None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ElementTree.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _fill(ElementTree.SubElement(element, key), inner)
    elif isinstance(value, list):
        child = SINGULAR.get(element.tag, "item")
        for entry in value:
            _fill(ElementTree.SubElement(element, child), entry)
    else:
        element.text = _text(value)


def to_xml(root: str, value: Any) -> bytes:
    element = ElementTree.Element(root)
    _fill(element, value)
    ElementTree.indent(element)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(
        element, encoding="utf-8", xml_declaration=False
    )


def respond(fmt: str, root: str, value: Any, *, status: int = 200) -> Response:
    if fmt == "xml":
        return Response(to_xml(root, value), status_code=status, media_type=FORMATS["xml"])
    body = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(body, status_code=status, media_type=FORMATS["json"])


def error_response(fmt: str | None, error: Open311Error) -> Response:
    return respond(fmt or "json", "errors", error.errors, status=error.status)
