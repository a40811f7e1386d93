"""The bare endpoint of the benchmark: a plain Django view that writes one row and nothing
else, behind the same middleware as every other page. Present only when the benchmark
asks for it (ONESTOP_BENCH_ENDPOINT=on); a 404 otherwise."""

from django.conf import settings
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from onestop.operations.models import BareWrite


@csrf_exempt
def bare_write(request):
    if not getattr(settings, "BENCH_ENDPOINT", False):
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    row = BareWrite.objects.create(
        at=timezone.now(), payload=request.body[:200].decode("utf-8", "replace")
    )
    return JsonResponse({"id": row.pk}, status=201)
