"""The public scorecard: /kinerja/ (the country, ?provinsi=, ?kabkota=), /kinerja/instansi/<id>/,
and their CSV (docs/domain.md#public-scorecard). Anyone may read them; no account, no script."""

from __future__ import annotations

import csv
import re
from functools import wraps
from urllib.parse import urlencode

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from complaints.scorecard import selectors
from complaints.scorecard.snapshot import EARLIEST, Period, PeriodInvalid


def period_from(params) -> tuple[Period, bool]:
    """The period asked for (?dari=YYYY-MM&sampai=YYYY-MM), or the default one and True when
    what was asked for is no period the scorecard gives."""
    try:
        return Period.parse(params.get("dari"), params.get("sampai")), False
    except PeriodInvalid:
        return Period.default(), True


def scope_from(params) -> str:
    try:
        return selectors.scope_from(params)
    except selectors.UnknownScope:
        raise Http404 from None


def busy() -> HttpResponse:
    """503 with Retry-After: the figures of the period asked for are being counted."""
    response = HttpResponse(str(selectors.BUSY_MESSAGE), status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(selectors.RETRY_AFTER)
    return response


def _card(period: Period, scope: str) -> selectors.Scorecard:
    try:
        return selectors.scorecard_for(period, scope)
    except selectors.UnknownScope:
        raise Http404 from None


def answering_busy(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except selectors.Busy:
            return busy()

    return wrapped


def period_query(period: Period) -> str:
    """The query string that keeps a chosen period on the links between pages ("" for the default)."""
    if period == Period.default():
        return ""
    return urlencode({"dari": f"{period.first:%Y-%m}", "sampai": f"{period.last:%Y-%m}"})


def _context(request, card, *, period_error: bool) -> dict:
    default = Period.default()
    return {
        "card": card,
        "period_error": period_error,
        "period_query": period_query(card.period),
        "first_month": f"{card.period.first:%Y-%m}",
        "last_month": f"{card.period.last:%Y-%m}",
        "min_month": f"{EARLIEST:%Y-%m}",
        "max_month": f"{default.last:%Y-%m}",
    }


@require_GET
@answering_busy
def index(request):
    period, period_error = period_from(request.GET)
    card = _card(period, scope_from(request.GET))
    context = _context(request, card, period_error=period_error)
    context["provinces"] = sorted(card.provinces.items(), key=lambda item: item[1])
    return render(request, "complaints/scorecard/index.html", context)


@require_GET
@answering_busy
def agency(request, pk: int):
    period, period_error = period_from(request.GET)
    card = _card(period, selectors.agency_scope(pk))
    return render(
        request, "complaints/scorecard/agency.html", _context(request, card, period_error=period_error)
    )


def csv_response(card: selectors.Scorecard, *, filename: str) -> HttpResponse:
    """The scorecard as a CSV file (selectors.csv_table)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so that a spreadsheet reads the file as UTF-8
    csv.writer(response).writerows(selectors.csv_table(card))
    return response


def _filename(card: selectors.Scorecard, stem: str) -> str:
    code = re.sub(r"[^0-9A-Za-z]+", "-", card.scope.partition(":")[2] or "indonesia").strip("-")
    return f"sigap-{stem}-{code}-{card.period.key}.csv"


@require_GET
@answering_busy
def index_csv(request):
    period, period_error = period_from(request.GET)
    if period_error:
        return HttpResponseBadRequest(
            _("Periode tidak dapat dibaca."), content_type="text/plain; charset=utf-8"
        )
    card = _card(period, scope_from(request.GET))
    return csv_response(card, filename=_filename(card, "kinerja"))


@require_GET
@answering_busy
def agency_csv(request, pk: int):
    period, period_error = period_from(request.GET)
    if period_error:
        return HttpResponseBadRequest(
            _("Periode tidak dapat dibaca."), content_type="text/plain; charset=utf-8"
        )
    card = _card(period, selectors.agency_scope(pk))
    return csv_response(card, filename=_filename(card, "kinerja-instansi"))
