"""A run's progress as its callbacks report it, for tests to hold it to its totals."""


class Steps:
    """What a run's ``on_part`` and ``on_progress`` said: each part's (done, total), in order."""

    def __init__(self) -> None:
        self.parts: dict[str, list[tuple[int, int]]] = {}

    def on_part(self, part: str) -> None:
        self.parts[part] = []

    def on_progress(self, done: int, total: int) -> None:
        self.parts[list(self.parts)[-1]].append((done, total))

    def assert_counted_to_the_end(self, parts: tuple[str, ...]) -> None:
        """Every part counted each of its steps once, from 0 to its total: the total was right."""
        assert list(self.parts) == list(parts)
        for part, seen in self.parts.items():
            total = seen[0][1]
            assert total > 0 and seen == [(done, total) for done in range(total + 1)], (part, seen)
