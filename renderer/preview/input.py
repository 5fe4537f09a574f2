"""GLFW input, turned into plain calls on a handler: key names, pixel positions, drags and clicks.

Positions are framebuffer pixels with the origin at the top left (GLFW reports screen coordinates,
which differ from pixels on high-DPI screens). A press and release that moved less than
`CLICK_SLOP_PX` is a click; anything more is a drag, delivered as it moves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

CLICK_SLOP_PX = 4.0


class InputHandler(Protocol):
    def on_key(self, name: str, shift: bool, ctrl: bool) -> None: ...
    def on_click(self, x: float, y: float, button: str, shift: bool, ctrl: bool) -> None: ...
    def on_drag(self, dx: float, dy: float, button: str, shift: bool, ctrl: bool) -> None: ...
    def on_drag_start(self, x: float, y: float, button: str, shift: bool, ctrl: bool) -> None: ...
    def on_drag_end(self, button: str) -> None: ...
    def on_scroll(self, steps: float) -> None: ...
    def on_resize(self, width: int, height: int) -> None: ...
    def on_refresh(self) -> None: ...


@dataclass
class _Press:
    button: str
    x: float
    y: float
    shift: bool
    ctrl: bool
    dragging: bool = False


def _key_names(glfw) -> dict[int, str]:
    names = {getattr(glfw, f"KEY_{c}"): c.lower() for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"}
    special = {"RIGHT": "right", "LEFT": "left", "UP": "up", "DOWN": "down", "PAGE_UP": "pageup",
               "PAGE_DOWN": "pagedown", "HOME": "home", "END": "end", "SPACE": "space", "BACKSPACE": "backspace",
               "ENTER": "enter", "KP_ENTER": "enter", "TAB": "tab", "ESCAPE": "escape", "F1": "f1", "F12": "f12",
               "EQUAL": "plus", "KP_ADD": "plus", "MINUS": "minus", "KP_SUBTRACT": "minus",
               "LEFT_BRACKET": "[", "RIGHT_BRACKET": "]", "SLASH": "slash", "COMMA": ",", "PERIOD": "."}  # fmt: skip
    names.update({getattr(glfw, f"KEY_{k}"): v for k, v in special.items()})
    return names


class InputRouter:
    """Registers GLFW callbacks on `window` (a glfw window handle) and forwards them to `handler`."""

    def __init__(self, glfw, window, handler: InputHandler):
        self._glfw, self._window, self._handler = glfw, window, handler
        self._keys = _key_names(glfw)
        self._press: _Press | None = None
        self._last = (0.0, 0.0)
        # Where the pointer was at the latest event handled: events arrive in order, but a slow frame
        # handles several at once, and asking GLFW for the cursor then gives where it is *now*.
        self._pointer: tuple[float, float] | None = None
        self._buttons = {glfw.MOUSE_BUTTON_LEFT: "left", glfw.MOUSE_BUTTON_RIGHT: "right",
                         glfw.MOUSE_BUTTON_MIDDLE: "middle"}  # fmt: skip
        # Keep the callbacks referenced: GLFW holds only C pointers to them.
        self._callbacks = (self._key, self._button, self._cursor, self._scroll, self._resize, self._refresh)
        glfw.set_key_callback(window, self._key)
        glfw.set_mouse_button_callback(window, self._button)
        glfw.set_cursor_pos_callback(window, self._cursor)
        glfw.set_scroll_callback(window, self._scroll)
        glfw.set_framebuffer_size_callback(window, self._resize)
        glfw.set_window_refresh_callback(window, self._refresh)

    def _pixels(self, x: float, y: float) -> tuple[float, float]:
        window_w, window_h = self._glfw.get_window_size(self._window)
        fb_w, fb_h = self._glfw.get_framebuffer_size(self._window)
        return x * fb_w / max(window_w, 1), y * fb_h / max(window_h, 1)

    def _key(self, _window, key, _scancode, action, mods) -> None:
        if action in (self._glfw.PRESS, self._glfw.REPEAT) and key in self._keys:
            self._handler.on_key(self._keys[key], bool(mods & self._glfw.MOD_SHIFT),
                                 bool(mods & self._glfw.MOD_CONTROL))  # fmt: skip

    def _button(self, _window, button, action, mods) -> None:
        name = self._buttons.get(button)
        if name is None:
            return
        x, y = self._pointer if self._pointer is not None else self._pixels(*self._glfw.get_cursor_pos(self._window))
        if action == self._glfw.PRESS and self._press is None:
            self._press = _Press(name, x, y, bool(mods & self._glfw.MOD_SHIFT), bool(mods & self._glfw.MOD_CONTROL))
            self._last = (x, y)
        elif action == self._glfw.RELEASE and self._press is not None and self._press.button == name:
            press, self._press = self._press, None
            if not press.dragging:
                self._handler.on_click(x, y, name, press.shift, press.ctrl)
            else:
                self._handler.on_drag_end(name)

    def _cursor(self, _window, x, y) -> None:
        x, y = self._pixels(x, y)
        self._pointer = (x, y)
        press = self._press
        if press is None:
            return
        if not press.dragging and abs(x - press.x) + abs(y - press.y) >= CLICK_SLOP_PX:
            press.dragging = True
            self._handler.on_drag_start(press.x, press.y, press.button, press.shift, press.ctrl)
        if press.dragging:
            dx, dy = x - self._last[0], y - self._last[1]
            self._handler.on_drag(dx, dy, press.button, press.shift, press.ctrl)
        self._last = (x, y) if press.dragging else self._last

    def _scroll(self, _window, _dx, dy) -> None:
        self._handler.on_scroll(float(dy))

    def _resize(self, _window, width, height) -> None:
        self._handler.on_resize(int(width), int(height))

    def _refresh(self, _window) -> None:
        self._handler.on_refresh()
