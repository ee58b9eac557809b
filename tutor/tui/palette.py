"""Command palette: jump to any lesson or lab, or start a review."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class TutorCommands(Provider):
    def _commands(self) -> list[tuple[str, str, object]]:
        app = self.app
        catalog = getattr(app, "_catalog", None)
        commands: list[tuple[str, str, object]] = [
            ("Start a review", "Answer the cards that are due", partial(app.start_review)),
        ]
        if catalog is not None:
            for lesson in catalog.lessons.values():
                commands.append((f"Lesson: {lesson.title}", lesson.summary, partial(app.open_lesson, lesson.id)))
            for lab in catalog.labs.values():
                commands.append((f"Lab: {lab.title}", lab.summary, partial(app.open_lab, lab.id)))
        return commands

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands()[:12]:
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
