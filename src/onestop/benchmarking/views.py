"""The bare endpoint of the benchmark: a plain Django view that writes one row and nothing
else, behind the same middleware as every other page."""

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from onestop.benchmarking.models import BareWrite


@csrf_exempt
@require_POST
def bare_write(request):
    row = BareWrite.objects.create(
        at=timezone.now(), payload=request.body[:200].decode("utf-8", "replace")
    )
    return JsonResponse({"id": row.pk}, status=201)
