"""Background work on the audit trail."""

import logging

from django_tasks import task

from onestop.audit import checkpoints

logger = logging.getLogger("onestop.audit")


@task()
def take_audit_checkpoint() -> int:
    """Signs a checkpoint of the trail (run every minute by the worker's scheduler) and
    returns its length; 0 while the trail is empty. A trail that does not continue the last
    checkpoint is logged as an error and left unsigned."""
    try:
        checkpoint, _new = checkpoints.take()
    except checkpoints.ChainBroken as broken:
        logger.error("audit trail not signed: %s", broken)
        raise
    return checkpoint.length if checkpoint else 0
