"""One Python function per form, generated from its FieldRules: the fast path without a call per
field.

`FieldRule.apply` reads clearly but costs three calls and a dozen attribute lookups a field; a
site document has about 125 fields with its runs and carriers, so a push of a hundred spent most
of its validation time in that overhead. `apply_all(rules)` writes the same steps out as straight
code, one block per rule with only the steps the rule has, and compiles it once. Anything
uncommon (a blank optional value, a date, an inline check) calls back into the rule itself.
`tests/forms/test_compiled_source.py` holds the generated function equal to `FieldRule.apply`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from forms.fields import _to_tristate
from forms.validators import normalize_text

if TYPE_CHECKING:
    from forms.compiled import FieldRule

ApplyAll = Callable[[dict[str, Any], Any], dict[str, Any]]


def apply_all(rules: tuple[FieldRule, ...], reject: type[Exception]) -> ApplyAll:
    """A function (source, form) -> {rule.name: rule.apply(source.get(rule.name), form)}."""
    from forms import compiled  # the converters the rules hold, to recognise them

    known = {
        compiled._integer: _convert_integer,
        compiled._float: _convert_float,
        compiled._choice: _convert_choice,
        compiled._yes_no: _convert_yes_no,
    }
    lines = ["def apply_all(source, form):", "    get = source.get", "    out = {}"]
    names: dict[str, Any] = {
        "Reject": reject,
        "tristate": _to_tristate,
        "isfinite": math.isfinite,
        "float_of": compiled._float,
        "normalize_text": normalize_text,
    }
    for i, rule in enumerate(rules):
        names[f"R{i}"] = rule
        names[f"C{i}"] = rule.convert
        names[f"D{i}"] = rule.default
        names[f"CH{i}"] = rule.choices
        convert = known.get(rule.convert, _convert_text if _is_text(rule) else _convert_call)
        lines += _block(i, rule, convert(i, rule))
    lines.append("    return out")
    namespace: dict[str, Any] = {}
    code = compile("\n".join(lines), f"<compiled form: {len(rules)} rules>", "exec")
    exec(code, names, namespace)  # noqa: S102
    return namespace["apply_all"]  # type: ignore[no-any-return]


def _block(i: int, rule: FieldRule, convert: list[str]) -> list[str]:
    key, pad = repr(rule.name), " " * 8
    store = f"{pad}out[{key}] = {_final(rule)}"
    lines = [f"    v = get({key})", "    if v is None:"]
    if rule.optional:
        lines += [
            f"{pad}out[{key}] = None",
            "    elif isinstance(v, str) and not v.strip():",
            f"{pad}out[{key}] = R{i}._blank(v)",
        ]
    else:
        lines += [f"{pad}d = D{i}", *_checks(i, rule, pad), store]
    return [*lines, "    else:", *convert, *_checks(i, rule, pad), store]


def _checks(i: int, rule: FieldRule, pad: str) -> list[str]:
    """FieldRule._check, written out for this rule's steps."""
    lines = []
    if rule.choices is not None:
        lines.append(f"{pad}if d not in CH{i}: raise Reject({rule.name!r})")
    if rule.required:
        blank = "not (d and (not isinstance(d, str) or d.strip()))"
        lines.append(f"{pad}if {blank}: raise Reject({rule.name!r})")
    if rule.length is not None:
        low, high = rule.length
        too_long = f" or size > {high}" if high != -1 else ""
        lines += [
            f"{pad}size = (d and len(d)) or 0",
            f"{pad}if size < {low}{too_long}: raise Reject({rule.name!r})",
        ]
    if rule.bounds is not None:
        low, high = rule.bounds
        lines.append(
            f"{pad}if d is not None and not {low!r} <= d <= {high!r}: raise Reject({rule.name!r})"
        )
    if rule.checks:
        lines.append(f"{pad}d = R{i}._run_checks(d, form)")
    return lines


def _final(rule: FieldRule) -> str:
    return "tristate(d)" if rule.yes_no else '(None if d == "" else d)'


def _is_text(rule: FieldRule) -> bool:
    return getattr(rule.convert, "normalizes", None) is not None


def _convert_integer(i: int, rule: FieldRule) -> list[str]:
    return [f"        if type(v) is not int: raise Reject({rule.name!r})", "        d = v"]


def _convert_float(i: int, rule: FieldRule) -> list[str]:
    return [
        "        if type(v) is float and isfinite(v): d = v",
        "        else: d = float_of(v)",
    ]


def _convert_choice(i: int, rule: FieldRule) -> list[str]:
    return [f"        if not isinstance(v, str): raise Reject({rule.name!r})", "        d = v"]


def _convert_yes_no(i: int, rule: FieldRule) -> list[str]:
    return [
        f"        if not isinstance(v, bool): raise Reject({rule.name!r})",
        '        d = "yes" if v else "no"',
    ]


def _convert_text(i: int, rule: FieldRule) -> list[str]:
    if not rule.convert.normalizes:  # type: ignore[attr-defined]
        return _convert_choice(i, rule)
    return [
        f"        if not isinstance(v, str): raise Reject({rule.name!r})",
        "        d = normalize_text(v)",
    ]


def _convert_call(i: int, rule: FieldRule) -> list[str]:
    return [f"        d = C{i}(v)"]
