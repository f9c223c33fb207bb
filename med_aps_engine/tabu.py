"""Tabu search on the critical path for (flexible) job shops (makespan only).

CP-SAT's large-neighbourhood search converges much faster from a schedule that is already
within a few percent of the optimum than from a dispatching rule (20-25% above). This module
finds such a start in a few seconds, in the manner of Nowicki and Smutnicki's TSAB:

* a schedule is the order of the operations on each machine; heads (earliest starts) and tails
  (longest path to the end) are computed over the disjunctive graph, after a shift on one
  machine only where they can change;
* moves are those of Balas and Vazacopoulos' N6 neighbourhood (the first operation of a block
  of the critical path to right after a later one of the block, or the last to right before
  an earlier one), ranked by the head/tail estimate of the new makespan;
* in a flexible job shop (an operation may run on one of several machines) a critical
  operation may also move to another of its machines, at one of the few places around where
  its head falls there, ranked by the longest path through it at the new place or through its
  old neighbours (Mastrolilli and Gambardella's estimate); a move that closes a cycle is undone;
* the reverse of a move is tabu for a randomised tenure; a tabu move is allowed when it would
  beat the best makespan (aspiration);
* after a long stretch without improvement the search jumps back to an elite schedule and
  perturbs it with a few random moves.

Only used for problems with ``is_pure_makespan`` and more than ``MIN_OPERATIONS`` operations
(``MIN_FLEXIBLE_OPERATIONS`` when an operation has several machines); the result is offered
like any other schedule and then handed to CP-SAT as its hint.
"""

import heapq
import random
import time

from .schedule import Assign

MIN_OPERATIONS = 250  # below, CP-SAT alone gets closer to the optimum in the same time
# flexible job shops (an operation may run on several machines) from this many operations
MIN_FLEXIBLE_OPERATIONS = 100


def applicable(problem):
    """True for a job shop worth the search: every operation has exactly one mode (the machine
    is fixed) and there are more than ``MIN_OPERATIONS`` operations (on 15 x 15 the search
    stalls about 1.5% above the optimum, where CP-SAT starting at once does better), or a
    flexible job shop of more than ``MIN_FLEXIBLE_OPERATIONS``."""
    if not problem.is_pure_makespan:
        return False
    n = len(problem.operations)
    if all(len(op.modes) == 1 for op in problem.operations.values()):
        return n > MIN_OPERATIONS
    return n > MIN_FLEXIBLE_OPERATIONS


def _is_shift(move):
    """A shift ``(old, new, moved, forward)`` (stretches of a machine's order), not a
    reassignment ``(operation, machine, after, before)``."""
    return isinstance(move[0], tuple)


def _longest_paths(order, dur, job_links, machine_link):
    """Longest path into each operation over ``order`` (a topological order of the links).

    With job predecessors and machine predecessors these are the heads (earliest starts);
    with successors and the reversed order, the tails (longest path to the end)."""
    dist = [0] * len(dur)
    for i in order:
        d = 0
        for a in job_links[i]:
            v = dist[a] + dur[a]
            d = max(d, v)
        a = machine_link[i]
        if a >= 0:
            v = dist[a] + dur[a]
            d = max(d, v)
        dist[i] = d
    return dist


class JobShopTabu:
    """Tabu search over machine sequences. ``improve(assigns, until)`` returns better assigns."""

    def __init__(self, problem, seed=0):
        self.p = problem
        ids = list(problem.topo_order)
        self.ids = ids
        index = {oid: k for k, oid in enumerate(ids)}
        ops = problem.operations
        # {machine: minutes} of each operation; the machine and duration of the schedule
        # being searched (set from the start schedule, changed by reassignment moves)
        self.modes = [
            {md.resource: problem.work_minutes(ops[oid], md) for md in ops[oid].modes}
            for oid in ids
        ]
        self.flexible = any(len(m) > 1 for m in self.modes)
        self.machine = [ops[oid].modes[0].resource for oid in ids]
        self.dur = [self.modes[k][self.machine[k]] for k in range(len(ids))]
        self.job_pred = [[index[pr.op] for pr in ops[oid].predecessors] for oid in ids]
        self.job_succ = [[index[s[0]] for s in ops[oid].successors] for oid in ids]
        # the operations without a next step: every longest path ends at one of them
        self.job_last = [k for k in range(len(ids)) if not self.job_succ[k]]
        self.job_first = [k for k in range(len(ids)) if not self.job_pred[k]]
        self._dirty = [False] * len(ids)
        self.order, self.pos = [], []
        self.rng = random.Random(seed)
        self.iterations = 0

    # ------------------------------------------------------------------ evaluation
    def _evaluate(self, mpred, msucc):
        """Heads, tails and makespan; None if the graph has a cycle. Keeps the topological
        order (``self.order``, ``self.pos``) that ``_evaluate_shift`` updates."""
        n = len(self.dur)
        dur, jp, js = self.dur, self.job_pred, self.job_succ
        indeg = [len(jp[i]) + (mpred[i] >= 0) for i in range(n)]
        stack = [i for i in range(n) if not indeg[i]]
        order = []
        push, pop, add = stack.append, stack.pop, order.append
        while stack:
            i = pop()
            add(i)
            for s in js[i]:
                indeg[s] -= 1
                if not indeg[s]:
                    push(s)
            s = msucc[i]
            if s >= 0:
                indeg[s] -= 1
                if not indeg[s]:
                    push(s)
        if len(order) < n:
            return None
        pos = [0] * n
        for k, i in enumerate(order):
            pos[i] = k
        self.order, self.pos = order, pos
        head = _longest_paths(order, dur, jp, mpred)
        tail = _longest_paths(reversed(order), dur, js, msucc)
        return head, tail, self._makespan(head)

    def _makespan(self, head):
        dur = self.dur
        return max(head[i] + dur[i] for i in self.job_last)

    def _evaluate_shift(self, lo, hi, segment, mpred, msucc, head, tail):
        """Heads, tails and makespan after ``segment`` (operations of one machine) was put in
        a new order, from those before it (changed in place), or None if that closed a cycle.
        ``lo`` and ``hi`` are the places in the topological order of the segment's first and
        last operation before the change.

        Only the stretch of the topological order between them needs sorting again (every
        arc the change adds runs into, inside or out of it); heads change only from ``lo`` on
        and tails only up to ``hi``, and of those only where a predecessor's (successor's)
        changed: on 20 x 20 shops a third of the full evaluation's time."""
        if not self._sort_window(lo, hi, mpred, msucc):
            return None
        # the nodes whose incoming (outgoing) arcs changed, then whatever their change reaches
        after, before = msucc[segment[-1]], mpred[segment[0]]
        seeds = [*segment, after]
        self._propagate(lo, 1, seeds, mpred, msucc, self.job_pred, self.job_succ, head)
        seeds[-1] = before
        self._propagate(hi, -1, seeds, msucc, mpred, self.job_succ, self.job_pred, tail)
        return head, tail, self._makespan(head)

    def _sort_window(self, lo, hi, mpred, msucc):
        """Sort ``order[lo:hi + 1]`` again after a change of arcs inside it (Kahn's, in the
        old order where free); False if it has a cycle (nothing is changed then)."""
        order, pos = self.order, self.pos
        window = order[lo : hi + 1]
        inside = set(window)
        jp, js = self.job_pred, self.job_succ
        indeg = {}
        for i in window:
            indeg[i] = sum(1 for x in jp[i] if x in inside) + (mpred[i] in inside)
        ready = [pos[i] for i in window if not indeg[i]]
        heapq.heapify(ready)
        sorted_window = []
        while ready:
            i = order[heapq.heappop(ready)]
            sorted_window.append(i)
            for s in (*js[i], msucc[i]):
                if s in inside:
                    indeg[s] -= 1
                    if not indeg[s]:
                        heapq.heappush(ready, pos[s])
        if len(sorted_window) < len(window):
            return False
        order[lo : hi + 1] = sorted_window
        for k, i in enumerate(sorted_window, lo):
            pos[i] = k
        return True

    def _propagate(self, start, step, seeds, mpred, msucc, job_pred, job_succ, dist):
        """Longest paths ``dist`` again for ``seeds`` and what their change reaches, walking
        the topological order from ``start`` by ``step`` (1: heads; -1 with the links
        reversed: tails)."""
        order, dur, dirty = self.order, self.dur, self._dirty
        pending = 0
        for i in seeds:
            if i >= 0 and not dirty[i]:
                dirty[i] = True
                pending += 1
        k = start
        # comparisons, not max(): this loop is most of the search's time
        while pending:
            i = order[k]
            k += step
            if not dirty[i]:
                continue
            dirty[i] = False
            pending -= 1
            d = 0
            for x in job_pred[i]:
                e = dist[x] + dur[x]
                if e > d:  # noqa: PLR1730
                    d = e
            a = mpred[i]
            if a >= 0:
                e = dist[a] + dur[a]
                if e > d:  # noqa: PLR1730
                    d = e
            if d != dist[i]:
                dist[i] = d
                for x in job_succ[i]:
                    if not dirty[x]:
                        dirty[x] = True
                        pending += 1
                x = msucc[i]
                if x >= 0 and not dirty[x]:
                    dirty[x] = True
                    pending += 1

    def _critical_blocks(self, head, tail, makespan, msucc):
        """Blocks (lists of operations on one machine) of one critical path."""
        dur, js = self.dur, self.job_succ
        starts = [i for i in self.job_first if head[i] == 0 and dur[i] + tail[i] == makespan]
        i = self.rng.choice(starts)
        path = [i]
        while True:
            end = head[i] + dur[i]
            nxt = -1
            s = msucc[i]
            if s >= 0 and head[s] == end and end + dur[s] + tail[s] == makespan:
                nxt = s
            else:
                for s in js[i]:
                    if head[s] == end and end + dur[s] + tail[s] == makespan:
                        nxt = s
                        break
            if nxt < 0:
                break
            path.append(nxt)
            i = nxt
        blocks = [[path[0]]]
        for a, b in zip(path, path[1:], strict=False):
            if msucc[a] == b:
                blocks[-1].append(b)
            else:
                blocks.append([b])
        return blocks

    def _moves(self, blocks):
        """N5 moves (u, v): swap adjacent u -> v on one machine (not when v is u's next step
        in its job, as two steps of a job on one machine of a flexible shop can be)."""
        moves = []
        last = len(blocks) - 1
        js = self.job_succ
        for k, block in enumerate(blocks):
            if len(block) < 2:
                continue
            if k > 0 and block[1] not in js[block[0]]:
                moves.append((block[0], block[1]))
            if k < last and (len(block) > 2 or k == 0) and block[-1] not in js[block[-2]]:
                moves.append((block[-2], block[-1]))
        return moves

    def _shifts(self, blocks, head, tail, mpred, msucc):
        """N6 moves (Balas and Vazacopoulos) with their makespan estimates: in a block of the
        critical path, its first operation to right after a later one, or its last to right
        before an earlier one (and likewise an inner one to the block's very end or start),
        when the head/tail test proves it closes no cycle. A move is ``(old, new, moved,
        forward)``: the stretch of the machine's sequence before and after."""
        dur = self.dur
        moves = []
        for block in blocks:
            k = len(block)
            if k < 2:
                continue
            job_ready, job_rest = self._job_ready, self._job_rest
            ready = {x: job_ready(x, head) for x in block}
            rest = {x: job_rest(x, tail) for x in block}
            pairs = [(0, j) for j in range(1, k)] + [(i, k - 1) for i in range(1, k - 1)]
            for i, j in pairs:
                old = tuple(block[i : j + 1])
                u, v = old[0], old[-1]
                a, b = mpred[u], msucc[v]
                start = head[a] + dur[a] if a >= 0 else 0
                end = tail[b] + dur[b] if b >= 0 else 0
                if self._can_follow(u, v, tail):
                    new = (*old[1:], u)
                    est = self._estimate_order(new, start, end, ready, rest)
                    moves.append((est, (old, new, u, True)))
                if j > i + 1 and self._can_precede(v, u, head):
                    new = (v, *old[:-1])
                    est = self._estimate_order(new, start, end, ready, rest)
                    moves.append((est, (old, new, v, False)))
        return moves

    def _job_ready(self, i, head):
        """When ``i``'s job lets it start: the end of its previous steps."""
        dur = self.dur
        ready = 0
        for p in self.job_pred[i]:
            ready = max(ready, head[p] + dur[p])
        return ready

    def _job_rest(self, i, tail):
        """How long ``i``'s job runs on after it: its next steps and their tails."""
        dur = self.dur
        rest = 0
        for s in self.job_succ[i]:
            rest = max(rest, tail[s] + dur[s])
        return rest

    def _can_follow(self, u, v, tail):
        """Whether ``u`` can go right after ``v`` (later on its machine) without a cycle: no
        next step of ``u``'s job leads to ``v`` (its tail would be at least ``v``'s plus
        ``v``'s duration)."""
        reach = tail[v] + self.dur[v]
        return all(s != v and tail[s] < reach for s in self.job_succ[u])

    def _can_precede(self, v, u, head):
        """Whether ``v`` can go right before ``u`` (earlier on its machine) without a cycle:
        no previous step of ``v``'s job comes from ``u``."""
        reach = head[u] + self.dur[u]
        return all(p != u and head[p] < reach for p in self.job_pred[v])

    def _estimate_order(self, new, start, end, ready, rest):
        """Makespan estimate with ``new`` as a stretch of a machine's order that the machine
        lets start at ``start`` and that leaves ``end`` minutes of path after it: the longest
        path through each of its operations, their jobs' ``ready`` times and ``rest`` as they
        are (Balas and Vazacopoulos)."""
        dur = self.dur
        starts = []
        for x in new:
            start = max(start, ready[x])
            starts.append(start)
            start += dur[x]
        est = 0
        for k in range(len(new) - 1, -1, -1):
            x = new[k]
            end = max(end, rest[x])
            est = max(est, starts[k] + dur[x] + end)
            end += dur[x]
        return est

    @staticmethod
    def _relink(order, a, b, mpred, msucc):
        """Chain ``a -> order... -> b`` on a machine (-1: the sequence's start or end)."""
        prev = a
        for x in order:
            if prev >= 0:
                msucc[prev] = x
            mpred[x] = prev
            prev = x
        msucc[prev] = b
        if b >= 0:
            mpred[b] = prev

    # ------------------------------------------------------------------ search
    def _sequences(self, assigns):
        n = len(self.ids)
        per_machine = {}
        for k, oid in enumerate(self.ids):
            machine = assigns[oid].resource
            self.machine[k] = machine
            self.dur[k] = self.modes[k][machine]
            per_machine.setdefault(machine, []).append((assigns[oid].start, k))
        mpred, msucc = [-1] * n, [-1] * n
        for seq in per_machine.values():
            seq.sort()
            for (_s, a), (_t, b) in zip(seq, seq[1:], strict=False):
                msucc[a], mpred[b] = b, a
        return mpred, msucc

    def _assigns(self, head, machine):
        out = {}
        for k, oid in enumerate(self.ids):
            end = head[k] + self.modes[k][machine[k]]
            out[oid] = Assign(machine[k], 0, head[k], end, 0, None)
        return out

    def _use_machines(self, machine):
        """Put every operation on ``machine[k]`` (its duration follows)."""
        self.machine[:] = machine
        self.dur[:] = [self.modes[k][m] for k, m in enumerate(machine)]

    # ------------------------------------------------------------------ reassignment
    def _machine_orders(self, mpred, msucc):
        """``{machine: [operation, ...]}`` in sequence order."""
        orders = {}
        for i in range(len(self.dur)):
            if mpred[i] < 0:
                seq = orders.setdefault(self.machine[i], [])
                while i >= 0:
                    seq.append(i)
                    i = msucc[i]
        return orders

    def _reassignments(self, blocks, head, tail, mpred, msucc):
        """Moves ``(o, machine, u, v)``: a critical operation ``o`` to another of its
        machines, between ``u`` and ``v`` (-1: the sequence's start or end), each with its
        makespan estimate: the longest path through ``o`` at its new place, or through its old
        neighbours now adjacent (heads and tails of the current schedule, as in Mastrolilli
        and Gambardella's flexible job-shop search). Positions are the few around where
        ``o``'s head falls on the other machine."""
        dur = self.dur
        orders = None
        moves = []
        for block in blocks:
            for o in block:
                modes = self.modes[o]
                if len(modes) < 2:
                    continue
                if orders is None:
                    orders = self._machine_orders(mpred, msucc)
                a, b = mpred[o], msucc[o]
                bridge = 0
                if a >= 0 and b >= 0:
                    bridge = head[a] + dur[a] + dur[b] + tail[b]
                ready = self._job_ready(o, head)
                after = self._job_rest(o, tail)
                for machine, minutes in modes.items():
                    if machine == self.machine[o]:
                        continue
                    seq = orders.get(machine, [])
                    # first position whose operation starts after o's head
                    pos = 0
                    while pos < len(seq) and head[seq[pos]] <= head[o]:
                        pos += 1
                    for p in range(max(0, pos - 1), min(len(seq), pos + 1) + 1):
                        u = seq[p - 1] if p > 0 else -1
                        v = seq[p] if p < len(seq) else -1
                        r = max(ready, head[u] + dur[u]) if u >= 0 else ready
                        q = max(after, tail[v] + dur[v]) if v >= 0 else after
                        moves.append((max(bridge, r + minutes + q), (o, machine, u, v)))
        return moves

    def _reassign(self, o, machine, u, v, mpred, msucc):
        """Move ``o`` to ``machine`` between ``u`` and ``v``; returns what undoes it."""
        a, b = mpred[o], msucc[o]
        if a >= 0:
            msucc[a] = b
        if b >= 0:
            mpred[b] = a
        if u >= 0:
            msucc[u] = o
        if v >= 0:
            mpred[v] = o
        mpred[o], msucc[o] = u, v
        undo = (o, self.machine[o], a, b)
        self.machine[o] = machine
        self.dur[o] = self.modes[o][machine]
        return undo

    def _undo_reassign(self, undo, mpred, msucc):
        o, machine, a, b = undo
        self._reassign(o, machine, a, b, mpred, msucc)

    def _choose(self, moves, tabu, it, best):
        """The best move by estimate that is not tabu, or beats ``best`` (aspiration); when
        every move is tabu, the one whose tabu ends first."""
        rng = self.rng
        chosen, chosen_est = None, None
        fallback, fallback_age = None, None
        for est, move in moves:
            expiry = self._expiry(move, tabu)
            if expiry > it and est >= best:
                if fallback is None or expiry < fallback_age:
                    fallback, fallback_age = move, expiry
                continue
            if chosen is None or est < chosen_est or (est == chosen_est and rng.random() < 0.5):
                chosen, chosen_est = move, est
        return fallback if chosen is None else chosen

    @staticmethod
    def _expiry(move, tabu):
        """Until which iteration ``move`` is tabu. ``tabu`` holds pairs ``(p, q)``: ``q``
        must not come before ``p`` again on their machine; a reassignment back to a machine
        is tabu as ``(o, machine)``."""
        if _is_shift(move):
            old, _new, moved, forward = move
            keys = ((moved, x) if forward else (x, moved) for x in old if x != moved)
            return max(tabu.get(key, 0) for key in keys)
        return tabu.get(move[:2], 0)

    def _apply_shift(self, move, state, mpred, msucc, tabu, it, tenure):
        old, new, moved, forward = move
        a, b = mpred[old[0]], msucc[old[-1]]
        first, last = self.pos[old[0]], self.pos[old[-1]]
        self._relink(new, a, b, mpred, msucc)
        expiry = it + self.rng.randint(*tenure)
        for x in old:
            if x != moved:
                tabu[(x, moved) if forward else (moved, x)] = expiry
        state = self._evaluate_shift(first, last, new, mpred, msucc, state[0], state[1])
        if state is None:  # cannot happen (``_shifts`` proves each move acyclic): undone
            self._relink(old, a, b, mpred, msucc)
        return state

    def _apply(self, move, state, mpred, msucc, tabu, it, tenure):
        """Make ``move`` and forbid its reverse for a ``tenure`` (lowest, highest) of
        iterations; returns the new state (after a shift ``state``'s lists changed in place,
        after a reassignment new ones), or None if it closes a cycle (the move is then
        undone; a reassignment is tabu for the longest tenure)."""
        if _is_shift(move):
            return self._apply_shift(move, state, mpred, msucc, tabu, it, tenure)
        lo, hi = tenure
        undo = self._reassign(*move, mpred, msucc)
        tabu[(move[0], undo[1])] = it + self.rng.randint(lo, hi)
        state = self._evaluate(mpred, msucc)
        if state is None:  # the new place closes a cycle: back, and not again soon
            self._undo_reassign(undo, mpred, msucc)
            tabu[move[:2]] = it + hi
        return state

    def _back_jump(self, elite):
        """An elite schedule perturbed by a few random swaps of its critical path:
        ``(mpred, msucc, state)``; sets the machines and durations to the elite's."""
        rng = self.rng
        _mk, ep, es, em = rng.choice(elite)
        mpred, msucc = ep[:], es[:]
        self._use_machines(em)
        state = self._evaluate(mpred, msucc)
        for _ in range(rng.randint(2, 6)):
            moves = self._moves(self._critical_blocks(*state, msucc))
            if not moves:
                break
            u, v = rng.choice(moves)
            a, b = mpred[u], msucc[v]
            self._relink((v, u), a, b, mpred, msucc)
            after = self._evaluate(mpred, msucc)
            if after is None:  # a 0-minute step between u and v of one job: a cycle
                self._relink((u, v), a, b, mpred, msucc)
                break
            state = after
        return mpred, msucc, state

    def _tenure(self):
        """(lowest, highest) tabu tenure: Taillard's 10 + jobs / machines, up to half again
        as much plus two (see docs/engine.md for what it gained over n / 25 to n / 12)."""
        jobs = len(self.job_first)
        machines = len({m for modes in self.modes for m in modes})
        lo = 10 + jobs // max(1, machines)
        return lo, lo * 3 // 2 + 2

    def improve(self, assigns, until, on_improve=None, stall=None, patience=None):
        """Search from ``assigns`` until ``time.monotonic() >= until``; returns the best assigns.

        ``on_improve(assigns)`` is called with every new best schedule. ``stall`` iterations
        without a new best trigger a back-jump; after ``patience`` back-jumps in a row without
        a new best the search stops early (None: run until ``until``)."""
        n = len(self.ids)
        mpred, msucc = self._sequences(assigns)
        state = self._evaluate(mpred, msucc)
        if state is None:  # cannot happen for a valid schedule
            return assigns
        head, tail, makespan = state
        best = makespan
        best_head, best_machine = head[:], self.machine[:]
        elite = [(makespan, mpred[:], msucc[:], self.machine[:])]
        tabu = {}
        stall = stall or max(2000, 10 * n)
        since = 0
        jumps = 0
        it = 0
        tenure = self._tenure()
        check_every = 16
        while True:
            it += 1
            if it % check_every == 0 and time.monotonic() >= until:
                break
            blocks = self._critical_blocks(head, tail, makespan, msucc)
            moves = self._shifts(blocks, head, tail, mpred, msucc)
            if self.flexible:
                moves += self._reassignments(blocks, head, tail, mpred, msucc)
            if not moves:  # nothing on the critical path can move (one job's steps: optimal)
                break
            move = self._choose(moves, tabu, it, best)
            state = self._apply(move, (head, tail), mpred, msucc, tabu, it, tenure)
            if state is None:
                continue
            head, tail, makespan = state
            if makespan < best:
                best, best_head, since, jumps = makespan, head[:], 0, 0
                best_machine = self.machine[:]
                elite.append((makespan, mpred[:], msucc[:], best_machine))
                elite.sort(key=lambda e: e[0])
                del elite[8:]
                if on_improve is not None:
                    on_improve(self._assigns(head, best_machine))
            else:
                since += 1
            if since >= stall:
                jumps += 1
                if patience is not None and jumps > patience:
                    break
                mpred, msucc, (head, tail, makespan) = self._back_jump(elite)
                tabu.clear()
                since = 0
        self.iterations += it
        return self._assigns(best_head, best_machine)
