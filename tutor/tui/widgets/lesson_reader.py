"""Widgets of the lesson reader: the scrolling chapter document and the search box."""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input, Markdown


class LessonDocument(Markdown, can_focus=True):
    """One page of a chapter (its introduction or one section): Markdown that scrolls itself.

    ``user_moved`` turns true when the learner scrolls (keys or wheel), so the screen can tell
    reading from its own scrolling. Space or Page Down at the bottom posts ``Advance``.
    Links are not opened here: the screen handles ``lesson:``, ``lab:`` and ``review:`` links.
    """

    BINDINGS = [
        Binding("up,k", "scroll_up", "Scroll up", show=False),
        Binding("down,j", "scroll_down", "Scroll down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown,space", "page_down", "Page down", show=False),
        Binding("home", "scroll_home", "Top", show=False),
        Binding("end", "scroll_end", "Bottom", show=False),
    ]

    class Advance(Message):
        """The learner paged on at the bottom of the page: show the next one."""

    def __init__(self, markdown: str | None = None, **kw) -> None:
        super().__init__(markdown, open_links=False, **kw)
        self.user_moved = False

    @property
    def at_bottom(self) -> bool:
        return self.scroll_y >= self.max_scroll_y

    def action_scroll_up(self) -> None:
        self.user_moved = True
        super().action_scroll_up()

    def action_scroll_down(self) -> None:
        self.user_moved = True
        super().action_scroll_down()

    def action_page_up(self) -> None:
        self.user_moved = True
        super().action_page_up()

    def action_page_down(self) -> None:
        if self.at_bottom:
            self.post_message(self.Advance())
            return
        self.user_moved = True
        super().action_page_down()

    def action_scroll_home(self) -> None:
        self.user_moved = True
        super().action_scroll_home()

    # End is a leap, not reading: it does not set user_moved

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self.user_moved = True

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self.user_moved = True


class SearchBox(Input):
    """The search field. Up/Down/PageUp/PageDown move through the results while you keep typing;
    Enter opens the highlighted one and Escape closes the search (both handled by the screen)."""

    BINDINGS = [
        Binding("down", "move(1)", "Next result", show=False),
        Binding("up", "move(-1)", "Previous result", show=False),
        Binding("pagedown", "move(10)", "Results page down", show=False),
        Binding("pageup", "move(-10)", "Results page up", show=False),
    ]

    def action_move(self, step: int) -> None:
        self.screen.move_search_cursor(step)  # type: ignore[attr-defined]
