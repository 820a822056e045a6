"""The API's OpenAPI generator: drf-spectacular's, with the input rules DRF applies and spectacular leaves out.

A ``CharField`` that may not be blank (DRF's default) trims its input and refuses what is left empty, so
``""``, ``" "`` or ``"\\n"`` are 400s; spectacular documents such a field as any string, so schema-valid input
was refused (issue 17, schemathesis). Request fields get ``minLength: 1`` and, when trimmed, ``pattern: \\S``
(at least one non-space character; an unanchored JSON-schema pattern).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers


class AutoSchema(SpectacularAutoSchema):
    def _get_request_body(self, direction: str = "request") -> Any:
        # A callback that answers anything, even no body, in its own protocol (a gateway's "always HTTP 200")
        # sets ``request_body_optional = True`` on its view: the body is then documented as optional.
        # Any body at all, even not an object: the fields stay documented as the first choice of "anyOf".
        body = super()._get_request_body(direction)
        if body is not None and getattr(self.view, "request_body_optional", False):
            body["required"] = False
            for media in body.get("content", {}).values():
                if "schema" in media:
                    media["schema"] = {"anyOf": [media["schema"], {}]}
        return body

    def _map_serializer_field(self, field: Any, direction: str, bypass_extensions: bool = False) -> Any:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            direction == "request"
            and isinstance(field, serializers.CharField)
            and not isinstance(field, serializers.ChoiceField)
            and not field.allow_blank
            and isinstance(schema, dict)
            and schema.get("type") == "string"
            and "enum" not in schema
        ):
            schema.setdefault("minLength", 1)
            if field.trim_whitespace and "pattern" not in schema:
                schema["pattern"] = r"\S"
        return schema
