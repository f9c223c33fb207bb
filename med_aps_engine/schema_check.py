"""Strict shape check of a problem against the shipped JSON schema (``schema/problem.schema.json``).

The schema is the single statement of the problem's shape: which keys exist, their types and
their upper limits. :func:`check_shape` interprets the subset of JSON Schema it uses (``type``,
``const``, ``properties``, ``required``, ``additionalProperties``, ``items``, ``prefixItems``,
``minItems``, ``maxItems``, ``minLength``, ``maxLength``, ``maximum``, ``oneOf``, ``$ref``), so
the engine needs no third-party validator, and a test checks with ``jsonschema`` that both agree.

Lower bounds (``minimum``, ``exclusiveMinimum``) are stated in the schema too but checked by
the loader (:mod:`.problem`), which words them in planning terms ("duration -5 is negative").

Stricter than plain JSON Schema where Python's JSON values are ambiguous: ``true`` is not the
integer 1, a float is an integer only when it is whole, and no number may be NaN or infinite.
Every error is a :class:`~.problem.ProblemError` whose message is one line naming the element
by its path, with the ids of jobs, operations and resources on the way.
"""

import json
import math
from functools import cache
from importlib import resources

# Deepest nesting a valid problem has is 7 (jobs > operation > predecessors > item ...);
# anything far deeper is refused before Python's recursion limit is in sight.
MAX_DEPTH = 32

_TYPE_NAMES = {
    "object": "an object",
    "array": "a list",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


@cache
def problem_schema():
    """The shipped problem schema (a dict)."""
    text = resources.files(__package__).joinpath("schema/problem.schema.json").read_text("utf-8")
    return json.loads(text)


def check_shape(data, error_class, schema=None, name="problem"):
    """Raise ``error_class`` (one-line message) at the first element of ``data`` that does not
    fit ``schema`` (default: the problem schema); ``name`` names the whole value."""
    root = problem_schema() if schema is None else schema
    try:
        _compiled(json.dumps(root, sort_keys=True))(data, None, 0)
    except _ShapeError as exc:
        raise error_class(f"{path_text(_steps(exc.path), name)}: {exc.message}") from None


class _ShapeError(Exception):
    def __init__(self, path, message):
        super().__init__(message)
        self.path = path  # linked (parent, step) pairs, None at the root
        self.message = message


def _steps(path):
    steps = []
    while path is not None:
        path, step = path
        steps.append(step)
    return tuple(reversed(steps))


@cache
def _compiled(schema_text):
    """One checking function per schema (compiled once: problems have ~10^6 values)."""
    root = json.loads(schema_text)
    return _Compiler(root).compile(root)


def describe(value):
    """Short description of a JSON value for an error message (never the whole value)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        text = repr(value)
        return text if len(text) <= 24 else f"{text[:21]}..."
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 40 else f'{text[:37]}..."'
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def path_text(path, name="problem"):
    """Where an element is, as the loader names it: ``operation 'WO/4' of job 'MO/2': modes[0]
    .duration``, ``resource 'R1': calendar[2][0]``, ``objective.makespan``."""
    steps = list(path)
    owner = ""
    if len(steps) >= 2 and steps[0] in ("jobs", "resources") and isinstance(steps[1], tuple):
        kind = "job" if steps[0] == "jobs" else "resource"
        index, ident = steps[1]
        owner = f"{kind} {ident!r}" if ident is not None else f"{steps[0]}[{index}]"
        steps = steps[2:]
        if kind == "job" and len(steps) >= 2 and steps[0] == "operations":
            index, op_ident = steps[1]
            operation = (
                f"operation {op_ident!r}" if op_ident is not None else f"operations[{index}]"
            )
            owner = f"{operation} of {owner}"
            steps = steps[2:]
    text = ""
    for step in steps:
        if isinstance(step, tuple):  # (index, id of the list item or None)
            text += f"[{step[0]}]"
        else:
            text += ("." if text else "") + str(step)
    if owner and text:
        return f"{owner}: {text}"
    return owner or text or name


class _Compiler:
    def __init__(self, root):
        self.root = root
        self.done = {}

    def resolve(self, schema):
        while "$ref" in schema:
            ref = schema["$ref"]
            if not ref.startswith("#/"):
                raise ValueError(f"unsupported $ref {ref!r}")
            node = self.root
            for part in ref[2:].split("/"):
                node = node[part]
            schema = node
        return schema

    def compile(self, schema):
        schema = self.resolve(schema)
        key = id(schema)
        if key not in self.done:
            self.done[key] = self._build(schema)
        return self.done[key]

    def _build(self, schema):
        check_type = _type_checker(schema.get("type"))
        const = schema.get("const", _MISSING)
        by_kind = {
            dict: self._object_checker(schema),
            list: self._array_checker(schema),
            str: _string_checker(schema),
            int: _number_checker(schema),
            float: _number_checker(schema),
        }
        alternatives = [self.compile(alt) for alt in schema.get("oneOf", ())]
        one_of_text = " / ".join(
            ", ".join(self.resolve(alt).get("required", [])) or "?"
            for alt in schema.get("oneOf", ())
        )

        def check(value, path, depth):
            if depth > MAX_DEPTH:
                raise _ShapeError(path, f"nested deeper than {MAX_DEPTH} levels")
            check_type(value, path)
            if const is not _MISSING and not _same(value, const):
                raise _ShapeError(path, f"must be {describe(const)}, got {describe(value)}")
            specific = by_kind.get(type(value))
            if specific is not None:
                specific(value, path, depth)
            if alternatives:
                matching = 0
                for alternative in alternatives:
                    try:
                        alternative(value, path, depth)
                    except _ShapeError:
                        continue
                    matching += 1
                if matching != 1:
                    raise _ShapeError(path, f"must have exactly one of: {one_of_text}")

        return check

    def _object_checker(self, schema):
        properties = {key: self.compile(sub) for key, sub in schema.get("properties", {}).items()}
        required = schema.get("required", ())
        extra = schema.get("additionalProperties", True)
        extra_check = self.compile(extra) if isinstance(extra, dict) else None
        known = ", ".join(sorted(properties)) or "none"

        def check_object(value, path, depth):
            for key in required:
                if key not in value:
                    raise _ShapeError(path, f"missing {key!r}")
            for key, item in value.items():
                sub = properties.get(key)
                if sub is not None:
                    sub(item, (path, key), depth + 1)
                elif extra is False:
                    raise _ShapeError(path, f"unknown key {key!r} (known keys: {known})")
                elif extra_check is not None:
                    extra_check(item, (path, key), depth + 1)

        return check_object

    def _array_checker(self, schema):
        least = schema.get("minItems", 0)
        most = schema.get("maxItems")
        prefix = [self.compile(sub) for sub in schema.get("prefixItems", ())]
        items = self.compile(schema["items"]) if "items" in schema else None

        def check_array(value, path, depth):
            if len(value) < least:
                plural = "s" * (least != 1)
                raise _ShapeError(path, f"needs at least {least} item{plural}, has {len(value)}")
            if most is not None and len(value) > most:
                raise _ShapeError(path, f"has {len(value)} items, at most {most} are allowed")
            for index, item in enumerate(value):
                sub = prefix[index] if index < len(prefix) else items
                if sub is not None:
                    sub(item, (path, (index, _item_id(item))), depth + 1)

        return check_array


_MISSING = object()


def _type_checker(wanted):
    if wanted is None:

        def check_any(value, path):
            if type(value) is float and not math.isfinite(value):
                raise _ShapeError(path, f"{describe(value)} is not a finite number")

        return check_any
    wanted = [wanted] if isinstance(wanted, str) else list(wanted)
    names = " or ".join(_TYPE_NAMES[name] for name in wanted)
    exact = {
        dict: "object" in wanted,
        list: "array" in wanted,
        str: "string" in wanted,
        bool: "boolean" in wanted,
        type(None): "null" in wanted,
        int: "integer" in wanted or "number" in wanted,
    }
    numbers, integers = "number" in wanted, "integer" in wanted

    def check_type(value, path):
        kind = type(value)
        if kind is float:
            if not math.isfinite(value):
                raise _ShapeError(path, f"{describe(value)} is not a finite number")
            if numbers or (integers and value.is_integer()):
                return
        elif exact.get(kind):
            return
        raise _ShapeError(path, f"expected {names}, got {describe(value)}")

    return check_type


def _string_checker(schema):
    least = schema.get("minLength", 0)
    most = schema.get("maxLength")

    def check_string(value, path, depth):
        if len(value) < least:
            raise _ShapeError(path, "must not be empty")
        if most is not None and len(value) > most:
            raise _ShapeError(path, f"is {len(value)} characters long, at most {most}")

    return check_string


def _number_checker(schema):
    most = schema.get("maximum")
    # a negative minimum is a limit like the maximum; minimums of 0 and above are the
    # loader's, which words them in planning terms
    least = schema.get("minimum", 0)
    least = least if least < 0 else None

    def check_number(value, path, depth):
        if most is not None and value > most:
            raise _ShapeError(path, f"{describe(value)} is beyond the limit {most}")
        if least is not None and value < least:
            raise _ShapeError(path, f"{describe(value)} is beyond the limit {least}")

    return check_number


def _same(value, const):
    return type(value) is type(const) and value == const


def _item_id(item):
    """The id of a list item (job, operation, resource), shown in paths."""
    if isinstance(item, dict):
        ident = item.get("id")
        if isinstance(ident, str) and len(ident) <= 80:
            return ident
    return None
