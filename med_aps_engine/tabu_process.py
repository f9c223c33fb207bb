"""A second tabu search in a child process, on the core the first one leaves idle.

The tabu search (``tabu.py``) is pure Python: it holds one core, and CP-SAT only starts
after it. When a solve may use two cores or more, ``TabuProcess`` runs a second search with
another seed beside it, in a child Python process (a thread would share the interpreter's
lock), until the same deadline; the solve then offers both plans and hints the full model
with the better. The CP-SAT model makes much of a better hint since its no-overlaps
propagate strongly (bench/README.md, "A second tabu search beside the first").

The child reads its input from a file and writes its plan to another (pickles of plain
data: the problem dict, the start plan, the seed, the deadline on the wall clock). A child
that fails, or is not done a second after the deadline, is stopped and gives nothing: the
solve goes on with the first search's plan.
"""

import os
import pickle
import subprocess
import sys
import tempfile
import time

# a child not done this long after its deadline is stopped (it checks the clock every few
# milliseconds, then writes a few kilobytes)
GRACE_SECONDS = 1.0
# below this much search time the child's start (Python and the engine's imports, about
# half a second) is not worth it
MIN_SECONDS = 2.0


def python_interpreter():
    """The Python interpreter this process runs on, or None where ``sys.executable`` is not
    one (an embedding server's binary, a frozen application): the child must be Python."""
    path = sys.executable
    if not path or getattr(sys, "frozen", False):
        return None
    if not os.path.basename(path).lower().startswith("python"):
        return None
    return path


class TabuProcess:
    """A tabu search from ``assigns`` of ``raw_problem`` (a schema dict) in a child process
    until ``until`` (``time.monotonic()``); ``result()`` waits for it and returns its plan
    (``{op id: Assign}``) or ``None``, with ``error`` saying why."""

    def __init__(self, raw_problem, assigns, seed, until, patience=None):
        python = python_interpreter()
        if python is None:
            raise OSError(f"{sys.executable!r} is not a Python interpreter")
        self.until = until
        self.error = None
        self._folder = tempfile.TemporaryDirectory(prefix="med-aps-tabu-")
        try:
            self._proc = self._start(python, raw_problem, assigns, seed, patience)
        except BaseException:
            self._folder.cleanup()
            raise

    def _start(self, python, raw_problem, assigns, seed, patience):
        folder = self._folder.name
        self._input = os.path.join(folder, "input.pickle")
        self._output = os.path.join(folder, "output.pickle")
        self._stderr = os.path.join(folder, "stderr.txt")
        # the monotonic clocks of two processes need not share an origin; the wall clock does
        deadline = time.time() + (self.until - time.monotonic())
        job = {
            "problem": raw_problem,
            "assigns": assigns,
            "seed": seed,
            "deadline": deadline,
            "patience": patience,
        }
        with open(self._input, "wb") as handle:
            pickle.dump(job, handle, protocol=pickle.HIGHEST_PROTOCOL)
        env = dict(os.environ)
        # the child imports the engine from where this process did
        env["PYTHONPATH"] = os.pathsep.join(path for path in sys.path if path)
        with open(self._stderr, "wb") as stderr:
            return subprocess.Popen(
                [python, "-m", __name__, self._input, self._output],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                env=env,
                close_fds=True,
            )

    def result(self, should_stop=None):
        """The child's plan, or ``None`` (``error`` says why). Waits for the child until its
        deadline and a grace second; ``should_stop()`` true stops it at once."""
        try:
            return self._wait(should_stop)
        finally:
            self.close()

    def _wait(self, should_stop):
        limit = self.until + GRACE_SECONDS
        while self._proc.poll() is None:
            if should_stop is not None and should_stop():
                self.error = "stopped"
                return None
            left = limit - time.monotonic()
            if left <= 0:
                self.error = "not done in time"
                return None
            try:
                self._proc.wait(timeout=min(0.25, left))
            except subprocess.TimeoutExpired:
                pass
        if self._proc.returncode != 0:
            self.error = f"exit status {self._proc.returncode}: {self._last_error_line()}"
            return None
        try:
            with open(self._output, "rb") as handle:
                return pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError) as exc:
            self.error = f"no plan written ({exc})"
            return None

    def _last_error_line(self):
        try:
            with open(self._stderr, encoding="utf-8", errors="replace") as handle:
                lines = [line.strip() for line in handle if line.strip()]
        except OSError:
            return ""
        return lines[-1] if lines else ""

    def close(self):
        """Stop the child if it still runs and remove its files."""
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        self._folder.cleanup()


def main(argv):
    """The child: ``python -m med_aps_engine.tabu_process INPUT OUTPUT``."""
    from .problem import load_problem
    from .tabu import JobShopTabu

    source, target = argv
    with open(source, "rb") as handle:
        job = pickle.load(handle)
    problem = load_problem(job["problem"])
    until = time.monotonic() + (job["deadline"] - time.time())
    search = JobShopTabu(problem, seed=job["seed"])
    found = search.improve(job["assigns"], until, patience=job["patience"])
    # written aside and renamed: the parent never reads half a plan
    partial = target + ".part"
    with open(partial, "wb") as handle:
        pickle.dump(found, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(partial, target)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
