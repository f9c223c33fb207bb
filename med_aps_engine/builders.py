"""The one place that writes an operation and a mode of the problem format
(``docs/engine-schema.md``) with every default spelled out: the benchmark readers, the plant
generator, the Odoo problem builder and the tests build theirs here."""


def make_mode(resource, duration, setup=0, cleanup=0, **extra):
    """A mode: the operation on ``resource`` for ``duration`` minutes of work, with the
    resource's ``setup`` and ``cleanup`` minutes; ``extra`` adds optional keys (e.g.
    ``requires``)."""
    return {"resource": resource, "duration": duration, "setup": setup, "cleanup": cleanup, **extra}


def make_operation(op_id, modes, name=None, predecessors=(), **fields):
    """An operation with every field at its default unless given in ``fields`` (``release``,
    ``setup_family``, ``batch_family``, ``batch_size``, ``interruptible``, ``locked``,
    ``in_progress`` or an optional key such as ``extensions``). ``predecessors`` are
    predecessor dicts (``{"op": ...}`` or ``{"job": ...}`` with lags)."""
    operation = {
        "id": op_id,
        "name": op_id if name is None else name,
        "modes": list(modes),
        "predecessors": list(predecessors),
        "release": 0,
        "setup_family": None,
        "batch_family": None,
        "batch_size": 1,
        "interruptible": True,
        "locked": None,
        "in_progress": None,
    }
    operation.update(fields)
    return operation
