"""Reading a CKAN action request: its parameters, their values, and what is wrong.

Parameters come as CKAN's own API reads them (ckan/views/api.py): under GET from the
query string (a repeated key is a list); under POST from a JSON object in the body (what
ckanapi sends), from a form (a repeated key is a list), or from a form whose one key is
a JSON object (what `curl -d '{"id": "x"}'` sends); a POST with no body reads the query
string. Values may be strings (from a query string or a form) or JSON values.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, QueryDict

FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


class CkanError(Exception):
    """An answer `{"success": false, "error": {...}}` with CKAN's __type and status."""

    status = 500
    type = "Internal Server Error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def error(self) -> dict:
        return {"__type": self.type, "message": self.message}


class NotFound(CkanError):
    status = 404
    type = "Not Found Error"

    def __init__(self, message: str):
        # ckanapi's NotFound says what follows the first ": ".
        super().__init__(f"Not found: {message}")


class AuthorizationError(CkanError):
    status = 403
    type = "Authorization Error"

    def __init__(self, message: str):
        super().__init__(f"Access denied: {message}")


class ValidationError(CkanError):
    """Parameters CKAN would refuse, each with its reasons: 409, as CKAN answers it."""

    status = 409
    type = "Validation Error"

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        summary = " ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items())
        super().__init__(summary)

    def error(self) -> dict:
        return {**self.errors, "__type": self.type, "message": self.message}


class BadRequest(Exception):
    """What CKAN answers before any action runs (an unknown action, a body that is not a
    JSON object): 400 with a JSON string, "Bad request - ..."."""

    def __init__(self, message: str):
        super().__init__(f"Bad request - {message}")


def _mixed(values: QueryDict) -> dict:
    """A value per key, or a list of them for a repeated key (CKAN's `mixed`)."""
    return {key: items[0] if len(items) == 1 else items for key, items in values.lists()}


def action_parameters(request: HttpRequest) -> dict:
    """The action's parameters; raises BadRequest for a body CKAN would refuse."""
    if request.method != "POST":
        return _mixed(request.GET)
    if request.content_type in FORM_TYPES:
        form = request.POST
        items = list(form.lists())
        if len(items) == 1 and items[0][1] in (["1"], [""]):
            return _json_object(items[0][0])  # curl -d '{"id": "x"}'
        if items:
            return _mixed(form)
    body = request.body
    if not body.strip():
        return _mixed(request.GET)
    return _json_object(body)


def _json_object(text: str | bytes) -> dict:
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadRequest(f"JSON Error: {error}; send the parameters as a JSON object.") from None
    if not isinstance(data, dict):
        raise BadRequest(
            f"Bad request data: Request data JSON decoded to {data!r} but it needs to be "
            "a dictionary."
        )
    return data


def natural_number(params: dict, name: str, *, default: int) -> int:
    """A whole number of 0 or more; "5" and 5 alike."""
    value = params.get(name)
    if value is None or value == "":
        return default
    message = f"Enter a whole number of 0 or more, not {json.dumps(value)}."
    if isinstance(value, (bool, list, dict)):
        raise ValidationError({name: [message]})
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValidationError({name: [message]}) from None
    if number < 0:
        raise ValidationError({name: [message]})
    return number


TRUE = {"true", "1", "yes", "on"}
FALSE = {"false", "0", "no", "off", ""}


def boolean(params: dict, name: str, *, default: bool) -> bool:
    """true or false in any case (ckanapi's GET sends True and False), or a JSON boolean."""
    value = params.get(name)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE | FALSE:
        return text in TRUE
    raise ValidationError({name: [f"Enter true or false, not {json.dumps(value)}."]})


def string_list(params: dict, name: str, *, as_json: bool = False) -> list[str]:
    """A list of strings: a JSON list, repeated keys, or one string. With `as_json`, a
    string that starts with "[" is read as a JSON list (CKAN's facet.field)."""
    value = params.get(name)
    if value is None or value == "":
        return []
    if isinstance(value, str) and as_json and value.lstrip().startswith("["):
        try:
            value = json.loads(value)
        except ValueError:
            raise ValidationError({name: [f"Cannot read {value} as a JSON list."]}) from None
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError({name: ["Send a list of strings."]})
    return value
