"""Working-time arithmetic on a resource calendar (sorted half-open available intervals)."""

import bisect

INF = 1 << 60


def merged_windows(calendars, a=None, b=None):
    """The union of the calendars' windows: sorted disjoint ``[start, end]`` pairs, clipped
    to ``[a, b)`` when given."""
    pieces = []
    for calendar in calendars:
        i = 0 if a is None else bisect.bisect_right(calendar.ends, a)
        while i < len(calendar.windows) and (b is None or calendar.starts[i] < b):
            start, end = calendar.windows[i]
            pieces.append(
                (start if a is None else max(a, start), end if b is None else min(b, end))
            )
            i += 1
    pieces.sort()
    merged = []
    for start, end in pieces:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def open_minutes(calendars, a, b):
    """Minutes of ``[a, b)`` in which at least one of ``calendars`` is open (a night all of
    them close for does not count; one resource's breakdown while another works does)."""
    if b <= a:
        return 0
    if any(calendar.always for calendar in calendars):
        return b - a
    if len(calendars) == 1:
        return calendars[0].working_minutes(a, b)
    return sum(end - start for start, end in merged_windows(calendars, a, b))


class Calendar:
    """Available intervals ``[start, end)``; ``None`` means always available."""

    def __init__(self, windows):
        self.always = windows is None
        self.windows = [] if windows is None else list(windows)
        self.starts = [a for a, _b in self.windows]
        self.ends = [b for _a, b in self.windows]
        self.cum = [0]  # cum[i] = available minutes in windows[:i]
        for a, b in self.windows:
            self.cum.append(self.cum[-1] + b - a)

    def total_minutes(self):
        return INF if self.always else self.cum[-1]

    def longest_window(self):
        if self.always:
            return INF
        return max((b - a for a, b in self.windows), default=0)

    def window_index(self, t):
        """Index of the window containing ``t`` or ``None``."""
        i = bisect.bisect_right(self.starts, t) - 1
        if i >= 0 and t < self.ends[i]:
            return i
        return None

    def next_available(self, t):
        """Smallest available minute ``>= t`` (``None`` after the last window)."""
        if self.always:
            return t
        i = bisect.bisect_right(self.ends, t)
        if i >= len(self.windows):
            return None
        return max(t, self.starts[i])

    def working_minutes(self, a, b):
        if b <= a:
            return 0
        if self.always:
            return b - a
        return self._before(b) - self._before(a)

    def _before(self, t):
        i = bisect.bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        return self.cum[i] + min(t, self.ends[i]) - self.starts[i]

    def finish(self, start, work):
        """End of ``work`` available minutes counted from ``start`` (an available minute)."""
        if work <= 0 or self.always:
            return start + max(work, 0)
        target = self._before(start) + work
        k = bisect.bisect_left(self.cum, target) - 1  # window where the target is reached
        if k >= len(self.windows):
            return None
        return self.starts[k] + (target - self.cum[k])

    def latest_with_minutes(self, minutes):
        """Latest ``t`` from which ``minutes`` (> 0) available minutes remain; ``None`` when
        the calendar holds fewer in all."""
        if self.always:
            return INF
        target = self.cum[-1] - minutes  # at most this many available minutes before t
        if target < 0:
            return None
        k = bisect.bisect_right(self.cum, target) - 1  # the window where that count is reached
        return self.starts[k] + (target - self.cum[k])

    def earliest_fit(self, t, length):
        """Earliest ``s >= t`` with ``[s, s + length)`` inside one window (non-interruptible)."""
        if self.always or length <= 0:
            return self.next_available(t) if length <= 0 else t
        i = bisect.bisect_right(self.ends, t)
        while i < len(self.windows):
            s = max(t, self.starts[i])
            if s + length <= self.ends[i]:
                return s
            i += 1
        return None

    def place(self, t, work, interruptible):
        """(start, end) of the earliest placement at or after ``t``, or ``None``."""
        if interruptible:
            s = self.next_available(t)
            if s is None:
                return None
            e = self.finish(s, work)
            return None if e is None else (s, e)
        s = self.earliest_fit(t, work)
        return None if s is None else (s, s + work)
