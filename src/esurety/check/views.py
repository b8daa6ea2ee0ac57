"""電子保証書類の真正性確認 (public): upload a PDF, see whether esurety issued exactly this file.

No login and nothing written, except a per-address counter: each check
validates a signature, so unlimited uploads would make the page a free
CPU-burning oracle.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.log import log_response
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from esurety.accounts import ratelimit
from esurety.accounts.forms import wait_message
from esurety.check import selectors
from esurety.check.forms import MAX_UPLOAD_BYTES, TOO_COMPLEX_MESSAGE, CheckForm
from esurety.check.uploads import CappedUploadHandler
from esurety.signing.validation import DocumentTooComplex, pdf_signature_check_prepare

logger = logging.getLogger(__name__)

# A person checks a handful of files; a script checking thousands is stopped.
CHECK_PER_ADDRESS = ratelimit.Limit("check-ip", max_attempts=20, window_seconds=15 * 60)


@csrf_exempt  # CSRF is checked by _check: the middleware would parse the upload before the handler below is set
@require_http_methods(["GET", "POST"])
@never_cache
def check(request: HttpRequest) -> HttpResponse:
    request.upload_handlers = [CappedUploadHandler(request, field_name="document", limit=MAX_UPLOAD_BYTES)]
    return _check(request)


@csrf_protect
def _check(request: HttpRequest) -> HttpResponse:
    result = None
    refusal = ""  # for the log: why a PDF was refused unchecked
    status = 200
    if request.method != "POST":
        form = CheckForm()
        # Whoever opens the page is about to upload: start the checker now, not then.
        pdf_signature_check_prepare()
    else:
        form = CheckForm(request.POST, request.FILES)
        ip = ratelimit.client_ip(request)
        wait = ratelimit.is_blocked(CHECK_PER_ADDRESS, ip)
        if wait:
            form.add_error(
                None,
                f"短時間に多くの確認があったため、受付を一時停止しています。{wait_message(wait)}後に、もう一度お試しください。",
            )
            status = 429
        else:
            # Every upload counts, valid or not: the limit bounds the work a client can cause.
            ratelimit.record_failure(CHECK_PER_ADDRESS, ip)
            if form.is_valid():
                data = form.cleaned_data["document"].read()
                try:
                    result = selectors.document_check(data=data)
                except DocumentTooComplex as refused:
                    refusal = f"refused an upload of {len(data)} bytes: {refused.detail}"
                    form.add_error("document", TOO_COMPLEX_MESSAGE)
                    status = 400
            else:
                status = 400
    context = {"form": form, "result": result, "verify_url": reverse("verify:verify")}
    response = render(request, "check/check.html", context, status=status)
    if refusal:
        # One line per refused upload, with the limit it hit, instead of Django's generic
        # "Bad Request" (log_response marks the response as logged).
        log_response("check: %s", refusal, response=response, request=request, logger=logger)
    return response
