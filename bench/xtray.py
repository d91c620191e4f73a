"""Watching a system tray from outside the app: Xvfb and fluxbox (whose toolbar hosts a tray),
and the moment an app's icon window is embedded in that tray and mapped.

The watch talks to the X server through Xlib (``ctypes``, no extra package): it finds the tray
as the owner of the ``_NET_SYSTEM_TRAY_S<screen>`` selection (fluxbox makes that owner a 1x1
child of its tray window, so the tray is the owner's parent), asks for the tray's
SubstructureNotify events and waits, in ``select``, for the MapNotify of a child whose WM_CLASS
is the app's. Nothing is polled and nothing in the app is changed.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

SUBSTRUCTURE_NOTIFY_MASK = 1 << 19
MAP_NOTIFY = 19
_XEVENT_LONGS = 24  # sizeof(XEvent) is 24 longs


class XClassHint(ctypes.Structure):
    _fields_ = (("res_name", ctypes.c_void_p), ("res_class", ctypes.c_void_p))


_ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)


@_ERROR_HANDLER
def _ignore_x_error(_display: int | None, _event: int | None) -> int:
    # A window can be gone by the time it is asked about; Xlib's default handler would exit.
    return 0


def _xlib() -> ctypes.CDLL:
    name = ctypes.util.find_library("X11") or "libX11.so.6"
    x = ctypes.CDLL(name)
    x.XOpenDisplay.restype = ctypes.c_void_p
    x.XOpenDisplay.argtypes = (ctypes.c_char_p,)
    x.XCloseDisplay.argtypes = (ctypes.c_void_p,)
    x.XInternAtom.restype = ctypes.c_ulong
    x.XInternAtom.argtypes = (ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int)
    x.XGetSelectionOwner.restype = ctypes.c_ulong
    x.XGetSelectionOwner.argtypes = (ctypes.c_void_p, ctypes.c_ulong)
    x.XDefaultScreen.argtypes = (ctypes.c_void_p,)
    x.XRootWindow.restype = ctypes.c_ulong
    x.XRootWindow.argtypes = (ctypes.c_void_p, ctypes.c_int)
    x.XQueryTree.argtypes = (
        ctypes.c_void_p,
        ctypes.c_ulong,
        ctypes.POINTER(ctypes.c_ulong),
        ctypes.POINTER(ctypes.c_ulong),
        ctypes.POINTER(ctypes.POINTER(ctypes.c_ulong)),
        ctypes.POINTER(ctypes.c_uint),
    )
    x.XSelectInput.argtypes = (ctypes.c_void_p, ctypes.c_ulong, ctypes.c_long)
    x.XSync.argtypes = (ctypes.c_void_p, ctypes.c_int)
    x.XPending.argtypes = (ctypes.c_void_p,)
    x.XNextEvent.argtypes = (ctypes.c_void_p, ctypes.c_void_p)
    x.XConnectionNumber.argtypes = (ctypes.c_void_p,)
    x.XGetClassHint.argtypes = (ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(XClassHint))
    x.XFree.argtypes = (ctypes.c_void_p,)
    x.XSetErrorHandler.argtypes = (_ERROR_HANDLER,)
    x.XSetErrorHandler.restype = ctypes.c_void_p
    return x


class TrayWatch:
    """A connection to ``display`` that sees icons being embedded in its system tray."""

    def __init__(self, display: str) -> None:
        self.x = _xlib()
        self.x.XSetErrorHandler(_ignore_x_error)
        self.dpy = self.x.XOpenDisplay(display.encode())
        if not self.dpy:
            raise RuntimeError(f"cannot open X display {display}")
        self.screen = self.x.XDefaultScreen(self.dpy)
        self.root = self.x.XRootWindow(self.dpy, self.screen)
        self.selection = self.x.XInternAtom(
            self.dpy, f"_NET_SYSTEM_TRAY_S{self.screen}".encode(), 0
        )
        self.tray = 0

    def close(self) -> None:
        if self.dpy:
            self.x.XCloseDisplay(self.dpy)
            self.dpy = None

    def parent_and_children(self, window: int) -> tuple[int, list[int]]:
        root, parent = ctypes.c_ulong(), ctypes.c_ulong()
        children = ctypes.POINTER(ctypes.c_ulong)()
        n = ctypes.c_uint()
        if not self.x.XQueryTree(
            self.dpy,
            window,
            ctypes.byref(root),
            ctypes.byref(parent),
            ctypes.byref(children),
            ctypes.byref(n),
        ):
            return 0, []
        kids = [children[i] for i in range(n.value)]
        if children:
            self.x.XFree(children)
        return parent.value, kids

    def wm_class(self, window: int) -> tuple[str, str] | None:
        hint = XClassHint()
        if not self.x.XGetClassHint(self.dpy, window, ctypes.byref(hint)):
            return None
        texts = []
        for pointer in (hint.res_name, hint.res_class):
            texts.append(ctypes.string_at(pointer).decode(errors="replace") if pointer else "")
            if pointer:
                self.x.XFree(pointer)
        name, klass = texts
        return name, klass

    def find_tray(self) -> int:
        """The tray window (0 while nobody owns the tray selection); from then on its
        children's MapNotify events are delivered to this connection."""
        owner = self.x.XGetSelectionOwner(self.dpy, self.selection)
        if not owner:
            return 0
        parent, _ = self.parent_and_children(owner)
        # fluxbox: the owner is a 1x1 child of the tray; other trays own the selection
        # with the tray window itself, a top-level window.
        self.tray = parent if parent and parent != self.root else owner
        self.x.XSelectInput(self.dpy, self.tray, SUBSTRUCTURE_NOTIFY_MASK)
        self.x.XSync(self.dpy, 0)
        return self.tray

    def icons(self) -> list[tuple[str, str]]:
        """The WM_CLASS of every window in the tray now."""
        _, kids = self.parent_and_children(self.tray)
        return [c for c in (self.wm_class(k) for k in kids) if c is not None]

    def drain(self) -> None:
        """Forget the events seen so far."""
        self.x.XSync(self.dpy, 0)
        event = (ctypes.c_long * _XEVENT_LONGS)()
        while self.x.XPending(self.dpy):
            self.x.XNextEvent(self.dpy, event)

    def wait_icon(
        self, res_name: str, deadline: float, gone: Callable[[], bool] | None = None
    ) -> float | None:
        """Wait for a window of class ``res_name`` to be mapped in the tray; return the
        ``time.perf_counter()`` at which the event was read, or None at ``deadline`` or once
        ``gone()`` (asked every 0.2 s) is true."""
        fd = self.x.XConnectionNumber(self.dpy)
        event = (ctypes.c_long * _XEVENT_LONGS)()
        while True:
            while self.x.XPending(self.dpy):
                self.x.XNextEvent(self.dpy, event)
                seen = time.perf_counter()
                # XMapEvent: int type; unsigned long serial; Bool send_event; Display *display;
                # Window event; Window window; ... (longs 0, 1, 2, 3, 4, 5 on LP64)
                if event[0] & 0xFFFFFFFF == MAP_NOTIFY and event[4] == self.tray:
                    cls = self.wm_class(event[5])
                    if cls is not None and cls[0] == res_name:
                        return seen
            left = deadline - time.perf_counter()
            if left <= 0 or (gone is not None and gone()):
                return None
            select.select([fd], [], [], min(left, 0.2))


class Display:
    """Xvfb with fluxbox on a free display number; everything it starts is stopped by
    :meth:`stop` (SIGTERM, then SIGKILL after a few seconds)."""

    def __init__(self, work: Path) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []
        self.work = work
        self.name = ""
        self.home: Path | None = None
        self.watch: TrayWatch | None = None

    def start(self, timeout_s: float = 30.0) -> TrayWatch:
        for tool in ("Xvfb", "fluxbox"):
            if shutil.which(tool) is None:
                raise RuntimeError(f"{tool} is missing; on Debian: sudo apt install xvfb fluxbox")
        read, write = os.pipe()
        try:
            xvfb = subprocess.Popen(
                [
                    "Xvfb",
                    "-displayfd",
                    str(write),
                    "-screen",
                    "0",
                    "1280x800x24",
                    "-nolisten",
                    "tcp",
                ],
                pass_fds=(write,),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            self.procs.append(xvfb)
        finally:
            os.close(write)
        with os.fdopen(read) as f:
            ready, _, _ = select.select([f], [], [], timeout_s)
            number = f.readline().strip() if ready else ""
        if not number:
            raise RuntimeError("Xvfb did not start")
        self.name = f":{number}"
        home = self.home = Path(tempfile.mkdtemp(prefix="fluxbox-", dir=self.work))
        self.procs.append(
            subprocess.Popen(
                ["fluxbox"],
                env={
                    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                    "HOME": str(home),
                    "DISPLAY": self.name,
                },
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        self.watch = TrayWatch(self.name)
        deadline = time.monotonic() + timeout_s
        while not self.watch.find_tray():
            if time.monotonic() > deadline:
                raise RuntimeError("fluxbox's system tray did not come up")
            time.sleep(0.05)
        return self.watch

    @property
    def xvfb_pid(self) -> int | None:
        return self.procs[0].pid if self.procs else None

    def stop(self) -> None:
        if self.watch is not None:
            self.watch.close()
            self.watch = None
        for p in reversed(self.procs):
            stop_process(p)
        self.procs = []
        if self.home is not None:
            shutil.rmtree(self.home, ignore_errors=True)


def stop_process(p: subprocess.Popen[bytes], grace_s: float = 5.0) -> None:
    """SIGTERM, then SIGKILL when it has not ended after ``grace_s``."""
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(grace_s)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(grace_s)


@contextlib.contextmanager
def display(work: Path) -> Iterator[Display]:
    d = Display(work)
    try:
        d.start()
        yield d
    finally:
        d.stop()
