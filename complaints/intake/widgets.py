"""Select boxes, and option lists, that build their HTML in Python.

Django renders every <option> through the template engine. The queue's filter form has some
two hundred of them (regencies, agencies, categories…) on a page officers reload all day, and
that alone was a third of the page's time. These widgets give the same markup, escaped the same
way, from the same context (``get_context``), without a template per option.
"""

import html

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe


def _escape(value) -> str:
    # What django.utils.html.escape does, without its lazy-string wrapper: a thousand calls a page.
    return html.escape(str(value))


def _options(options, selected: str | None = None) -> list[str]:
    """``options``: (value, label, attrs) triples; ``selected`` marks the one whose value it is."""
    return [
        f'<option value="{_escape(value)}"{flatatt(attrs) if attrs else ""}'
        f"{' selected' if selected is not None and str(value) == selected else ''}>{_escape(label)}</option>"
        for value, label, attrs in options
    ]


def _grouped(groups, selected: str | None = None) -> str:
    parts = []
    for group_name, options in groups:
        if group_name and not options:
            continue  # an empty <optgroup> is a heading over nothing (the form's "Lainnya (BUMN/BUMD…)")
        if group_name:
            parts.append(f'<optgroup label="{_escape(group_name)}">')
        parts.extend(_options(options, selected))
        if group_name:
            parts.append("</optgroup>")
    return "".join(parts)


def _select_html(widget: dict) -> str:
    groups = (
        (name, [(o["value"], o["label"], o["attrs"]) for o in options])
        for name, options, _ in widget["optgroups"]
    )
    select = f'<select name="{_escape(widget["name"])}"{flatatt(widget["attrs"])}>{_grouped(groups)}</select>'
    return mark_safe(select)  # noqa: S308 - every value in it is escaped


def grouped_options(groups, *, selected) -> str:
    """The <optgroup>s of a select a template writes itself: ``groups`` of (label, [(value, text)]).

    The public form's agency and regency lists hold over a thousand options; written by the
    template engine they took most of the page's time."""
    selected = None if selected in (None, "") else str(selected)
    options = _grouped(((label, [(v, text, {}) for v, text in items]) for label, items in groups), selected)
    return mark_safe(options)  # noqa: S308 - every value in it is escaped


class ListSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        return _select_html(self.get_context(name, value, attrs)["widget"])


class ListSelectMultiple(forms.SelectMultiple):
    def render(self, name, value, attrs=None, renderer=None):
        return _select_html(self.get_context(name, value, attrs)["widget"])
