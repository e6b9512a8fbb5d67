"""The child's side: the entry point multiprocessing runs in each new upload child (:func:`main`).

The child caps itself (:func:`~retention_core.ingest.sandbox.limits.confine`), sends the parent the memory file of
its answer, and waits, holding nothing else, for its one job: the request's frames on its pipe name the job (its
module and qualified name, imported here), its request and its payloads. It runs the job, writes the job's tables
into that memory file, seals it and sends its header; or, whatever went wrong, the reason it has no answer. Then it
ends without clean-up: a child serves one job only.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import signal
import sys
from collections.abc import Callable

from retention_core.ingest import sealed_memory
from retention_core.ingest.sandbox.failures import MEMORY_EXIT, out_of_memory
from retention_core.ingest.sandbox.frames import MAX_HEADER_BYTES, enlarge_pipe, read_frame, send_frame
from retention_core.ingest.sandbox.limits import SELF_DESTRUCT_GRACE_SECONDS, Limits, confine
from retention_core.ingest.sandbox.messages import Ahead

def main(inbox, outbox, limits: Limits) -> None:
    """The child: cap itself, wait for the job and its request, run it, send the answer or why there is none."""
    confine(limits)
    enlarge_pipe(inbox.fileno())
    answer_file = sealed_memory.new_file()  # the tables go here; the parent has it before any byte is read
    sealed_memory.send_descriptor(outbox, answer_file)
    answering = False
    ahead = None
    try:
        with open(inbox.fileno(), "rb", closefd=False) as source:
            envelope = json.loads(read_frame(source, MAX_HEADER_BYTES))
            # the deadline runs from here (a child may have waited for its job): the parent's, then its own
            signal.alarm(math.ceil(limits.seconds) + SELF_DESTRUCT_GRACE_SECONDS)
            payloads = [read_frame(source, limits.memory_bytes, writable=kind == "table")
                        for kind in envelope["payloads"]]
        inbox.close()
        job = _job(*envelope["job"])
        if envelope.get("ahead"):
            ahead = Ahead(outbox)
            header, tables = job(envelope["request"], payloads, ahead)
            ahead.wait()  # what it sends goes before the answer
        else:
            header, tables = job(envelope["request"], payloads)
        del payloads
        sizes = sealed_memory.write_tables(answer_file, tables)
        answer = json.dumps({"answer": header, "sizes": sizes}, default=_jsonable).encode()
        answering = True
        send_frame(outbox, answer, b"H")
    except BaseException as error:  # noqa: BLE001 - anything at all becomes a reason for the parent
        if ahead is not None:
            try:
                ahead.wait()  # a part under way is sent whole before the reason
            except BaseException:  # noqa: BLE001 - the first failure is the one reported
                pass
        reason = "memory" if out_of_memory(error, limits) else "crash"
        if reason == "crash":
            import traceback

            traceback.print_exc(file=sys.stderr)  # the server's log; never shown to the user
        if answering:  # half an answer is on its way: only the exit code can still tell
            os._exit(MEMORY_EXIT if reason == "memory" else 1)
        detail = f"{type(error).__name__}: {error}"[:500]
        try:
            send_frame(outbox, json.dumps({"failed": reason, "detail": detail}).encode(), b"H")
        except OSError:
            pass
    os._exit(0)  # no clean-up of half-done native work: the process ends here


def _job(module: str, name: str) -> Callable:
    """The job the parent named (its module and qualified name; the parent is trusted, the child is not)."""
    job = importlib.import_module(module)
    for part in name.split("."):
        job = getattr(job, part)
    return job


def _jsonable(value: object) -> object:
    """NumPy scalars as Python numbers; anything else JSON cannot take as its text."""
    item = getattr(value, "item", None)
    return item() if callable(item) else str(value)
