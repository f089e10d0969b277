"""SharedBlob from Python: the engine's C library (``libsharedblob.so``) through ctypes.

Publish bytes into a named POSIX shared-memory segment, read them back verified (XXH3-64),
view them where they lie without a copy, and wait for the next publish::

    import sharedblob

    with sharedblob.Segment.create("camera") as seg:          # /dev/shm/camera, 10 MiB slots
        seg.publish(frame_bytes, path="/frames/0001.png")      # an ImageData frame
        blob = seg.read()                                      # verified copy + metadata
        with seg.view() as mv:                                 # verified, zero copy
            first = mv[0]                                      # valid inside the block only
        seq = seg.wait(after=blob.metadata.sequence, timeout=5.0)

The rules are the engine's: a writer killed at any moment leaves the previous blob
readable; readers never see a torn blob; a segment that belongs to another user (or that
others may write) is refused with :class:`Untrusted`. Every failure is an exception whose
class mirrors the command-line tools' statuses, with the library's one-line message.

Thread safety: a :class:`Segment` may be used from several threads; a view is valid only
inside its ``with`` block.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import numbers
import os
import struct
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, NamedTuple, Optional, Union

__all__ = [
    "Segment", "Blob", "Metadata", "SharedBlobError", "NotFound", "Exists", "Untrusted",
    "NotASegment", "Corrupt", "ChecksumMismatch", "TooLarge", "TimedOut", "LockTimedOut",
    "Busy", "Shrunk", "NothingPublished", "Overwritten", "InvalidArgument", "SystemCallFailed",
    "LockHeld", "Loan", "View", "backend", "KIND_IMAGE_DATA", "KIND_RAW", "DEFAULT_CAPACITY", "library_version",
    "terminal_text",
]

KIND_IMAGE_DATA = 1  #: an ImageData frame: a path label and the content
KIND_RAW = 3         #: bytes as they are, no label (SB_KIND_BYTES)
DEFAULT_CAPACITY = 10 * 1024 * 1024

Buffer = Union[bytes, bytearray, memoryview, Any]  # anything with the buffer protocol


class SharedBlobError(Exception):
    """A failure reported by the engine; ``status`` is its ``sb_status`` number."""

    status = -1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(SharedBlobError):
    """No such segment."""
    status = 1


class Exists(SharedBlobError):
    """``create`` of a segment that exists."""
    status = 2


class Untrusted(SharedBlobError):
    """The segment belongs to another user, or others may write it."""
    status = 3


class NotASegment(SharedBlobError):
    """The object is not a SharedBlob segment of this layout version."""
    status = 4


class Corrupt(SharedBlobError):
    """A segment or frame that contradicts itself."""
    status = 5


class ChecksumMismatch(SharedBlobError):
    """A published payload failed its XXH3-64 checksum."""
    status = 6


class TooLarge(SharedBlobError):
    """The payload does not fit the segment's capacity."""
    status = 7


class TimedOut(SharedBlobError):
    """No newer publish within the timeout."""
    status = 8


class LockTimedOut(SharedBlobError):
    """Another writer held the segment's lock for the whole timeout."""
    status = 9


class Busy(SharedBlobError):
    """Writers kept replacing the blob while it was read; try again."""
    status = 10


class Shrunk(SharedBlobError):
    """The segment's file was truncated under the mapping."""
    status = 11


class NothingPublished(SharedBlobError):
    """The segment holds no blob yet."""
    status = 12


class Overwritten(SharedBlobError):
    """A writer reused the slot while a view was open: what was read is discarded."""
    status = 13


class InvalidArgument(SharedBlobError, ValueError):
    """A bad argument: a name, a label, a number out of range, a closed segment (also a
    ``ValueError``)."""
    status = 14


class SystemCallFailed(SharedBlobError):
    """A system call failed (the message names it)."""
    status = 15


class LockHeld(SharedBlobError):
    """This thread holds an open loan on the segment."""
    status = 16


_ERRORS = {cls.status: cls for cls in SharedBlobError.__subclasses__()}


class _Metadata(ctypes.Structure):
    _fields_ = [("sequence", ctypes.c_uint64), ("length", ctypes.c_uint64), ("checksum", ctypes.c_uint64),
                ("publish_time_ns", ctypes.c_int64), ("writer_pid", ctypes.c_int32), ("kind", ctypes.c_uint32)]


class _View(ctypes.Structure):
    _fields_ = [("bytes", ctypes.c_void_p), ("length", ctypes.c_size_t), ("metadata", _Metadata),
                ("internal_", ctypes.c_void_p)]


def _library_path() -> str:
    """Where libsharedblob.so is: $SHAREDBLOB_LIBRARY, beside this file, or on the loader's path."""
    explicit = os.environ.get("SHAREDBLOB_LIBRARY")
    if explicit:
        return explicit
    beside = Path(__file__).with_name("libsharedblob.so")
    if beside.exists():
        return str(beside)
    found = ctypes.util.find_library("sharedblob")
    if found:
        return found
    raise ImportError("libsharedblob.so not found: install with scripts/python-install.sh, "
                      "or set SHAREDBLOB_LIBRARY to its path")


_lib = ctypes.CDLL(_library_path())
_P = ctypes.c_void_p
_lib.sb_last_error.restype = ctypes.c_char_p
_lib.sb_version.restype = ctypes.c_char_p
_lib.sb_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_uint64, ctypes.POINTER(_P)]
_lib.sb_open_file.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_uint64, ctypes.POINTER(_P)]
_lib.sb_close.argtypes = [_P]
_lib.sb_close.restype = None
_lib.sb_remove.argtypes = [ctypes.c_char_p]
_lib.sb_capacity.argtypes = [_P]
_lib.sb_capacity.restype = ctypes.c_uint64
_lib.sb_publish.argtypes = [_P, _P, ctypes.c_size_t, ctypes.c_char_p, ctypes.POINTER(_Metadata)]
_lib.sb_loan_begin.argtypes = [_P, ctypes.c_size_t, ctypes.c_uint32, ctypes.c_int64, ctypes.POINTER(_P), ctypes.POINTER(_P)]
_lib.sb_loan_commit.argtypes = [_P, ctypes.c_size_t, ctypes.POINTER(_Metadata)]
_lib.sb_loan_abandon.argtypes = [_P]
_lib.sb_loan_abandon.restype = None
_lib.sb_read.argtypes = [_P, _P, ctypes.c_size_t, ctypes.POINTER(_Metadata)]
_lib.sb_view_begin.argtypes = [_P, ctypes.POINTER(_View)]
_lib.sb_view_end.argtypes = [_P, ctypes.POINTER(_View)]
_lib.sb_view_after.argtypes = [_P, ctypes.c_uint64, ctypes.c_int64, ctypes.POINTER(_View)]
_lib.sb_wait.argtypes = [_P, ctypes.c_uint64, ctypes.c_int64, ctypes.POINTER(ctypes.c_uint64)]
_lib.sb_latest.argtypes = [_P, ctypes.POINTER(_Metadata)]
_lib.sb_frame_split.argtypes = [_P, ctypes.c_size_t, ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_size_t),
                                ctypes.POINTER(_P), ctypes.POINTER(ctypes.c_size_t)]
_lib.sb_terminal_text.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t,
                                  ctypes.POINTER(ctypes.c_size_t)]
_lib.sb_trust_owner.argtypes = [ctypes.c_uint32]
_lib.sb_trust_group.argtypes = [ctypes.c_uint32]


def _memory_view_factory() -> Any:
    """A read-only memoryview over (address, length) in one call: CPython's
    PyMemoryView_FromMemory, or a ctypes array where that is not there."""
    try:
        from_memory = ctypes.pythonapi.PyMemoryView_FromMemory
        from_memory.argtypes = [ctypes.c_void_p, ctypes.c_ssize_t, ctypes.c_int]
        from_memory.restype = ctypes.py_object
    except (AttributeError, OSError):
        def fallback(address: int, length: int) -> memoryview:
            array = (ctypes.c_ubyte * length).from_address(address) if length else bytearray()
            return memoryview(array).cast("B").toreadonly()
        return fallback
    return lambda address, length: from_memory(address, length, 0x100)  # PyBUF_READ


_readonly_memory = _memory_view_factory()
_EMPTY = memoryview(b"")


def _text(value: Any, what: str) -> bytes:
    """A name, a file's path or a path label as the library takes it: UTF-8 (or a path's
    bytes) without NUL; anything else is :class:`InvalidArgument`, never silently cut."""
    if isinstance(value, (bytes, bytearray)):
        raw = bytes(value)
    elif isinstance(value, str):
        try:
            raw = value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidArgument(f"the {what} is not valid UTF-8 text (it holds a lone surrogate)") from None
    elif isinstance(value, os.PathLike):
        raw = os.fsencode(value)
    else:
        raise InvalidArgument(f"the {what} must be str or bytes, not {type(value).__name__}")
    if b"\0" in raw:
        raise InvalidArgument(f"the {what} holds a NUL character")
    return raw


def _unsigned(value: Any, what: str, bits: int = 64) -> int:
    """``value`` checked to be an integer that fits the library's unsigned field."""
    if type(value) is int and 0 <= value < 1 << bits:  # the usual case, on every view: no more checks
        return value
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidArgument(f"{what} must be an integer, not {type(value).__name__}")
    if not 0 <= value < 1 << bits:
        raise InvalidArgument(f"{what} {value} is out of range (0 to 2**{bits} - 1)")
    return value


#: The longest timeout, in milliseconds (some 285 million years: what the library and the
#: extension's seconds-to-milliseconds both hold).
_LONGEST_MS = 9 * 10**18


def _milliseconds(timeout: Optional[float]) -> int:
    """A timeout in seconds as the library's milliseconds: -1 for None; a negative one is
    0, a longer one than the library counts (or infinity) :data:`_LONGEST_MS`."""
    if timeout is None:
        return -1
    kind = type(timeout)
    if kind is not float and kind is not int:  # on every view with a timeout: keep it cheap
        if kind is bool or not isinstance(timeout, numbers.Real):
            raise InvalidArgument(f"the timeout must be a number of seconds, not {kind.__name__}")
    ms = timeout * 1000.0
    if ms != ms:
        raise InvalidArgument("the timeout is NaN")
    if ms <= 0:
        return 0
    return _LONGEST_MS if ms >= _LONGEST_MS else int(ms)


def _begin(handle: int, after: int, timeout_ms: int) -> "tuple[int, int, _View, tuple[int, ...]]":
    """Begins a view through ctypes (after waiting for a blob newer than ``after``, unless
    it is -1): (the payload's address, its length, the sb_view for :func:`_end`, the six
    metadata fields)."""
    view = _View()
    if after < 0:
        _check(_view_begin(handle, _byref(view)))
    else:
        _check(_view_after(handle, after, timeout_ms, _byref(view)))
    fields = _VIEW_FIELDS.unpack_from(view)
    return fields[0] or 0, fields[1], view, fields[2:8]


def _end(handle: int, view: Any) -> int:
    """Ends a view begun by :func:`_begin`; its sb_status (0: stayed valid)."""
    return _view_end(handle, _byref(view))
_byref = ctypes.byref
_publish = _lib.sb_publish
_view_begin = _lib.sb_view_begin
_view_end = _lib.sb_view_end
_view_after = _lib.sb_view_after
_wait = _lib.sb_wait


try:  # the hot calls compiled against libsharedblob (built by pip when it can), else ctypes
    if os.environ.get("SHAREDBLOB_BACKEND") == "ctypes":
        raise ImportError("ctypes requested")
    from . import _fast

    _fast.init(*(ctypes.cast(f, ctypes.c_void_p).value for f in (_publish, _view_begin, _view_after, _view_end)))
except ImportError:
    _fast = None  # type: ignore[assignment]

#: "extension" (the compiled ``sharedblob._fast``) or "ctypes": how the hot calls are made.
backend = "extension" if _fast is not None else "ctypes"


def _check(status: int) -> None:
    if status != 0:
        message = (_lib.sb_last_error() or b"").decode("utf-8", "replace")
        raise _ERRORS.get(status, SharedBlobError)(message)


def library_version() -> str:
    """The engine's version, e.g. ``"0.6.0"``."""
    return _lib.sb_version().decode()


def terminal_text(text: Union[str, bytes]) -> str:
    """``text`` (a path label: untrusted) as it is safe to print on a terminal, as
    ``blob-reader`` prints it: control characters, the line and paragraph separators, the
    bidi controls and the backslash escaped (``\\x1b``, ``\\n``, ``\\u{9b}``, ``\\\\``), bytes
    that are not UTF-8 as ``\\xNN``. The library's rule (``sb_terminal_text``)."""
    if isinstance(text, str):
        try:
            raw = text.encode("utf-8", "surrogateescape")  # a name from os.fsdecode: its bytes
        except UnicodeEncodeError:
            raw = text.encode("utf-8", "surrogatepass")    # other lone surrogates: escaped bytes
    else:
        raw = bytes(text)
    out = ctypes.create_string_buffer(4 * len(raw) + 1)
    needed = ctypes.c_size_t()
    _check(_lib.sb_terminal_text(raw, len(raw), out, len(out), ctypes.byref(needed)))
    return out.raw[: needed.value - 1].decode("utf-8")


def trust_owner(uid: int) -> None:
    """Trust segments owned by this user id too (process-wide, like ``--trust-owner``)."""
    _check(_lib.sb_trust_owner(uid))


def trust_group(gid: int) -> None:
    """Share new segments with this group and trust its members' (like ``--group``)."""
    _check(_lib.sb_trust_group(gid))


class Metadata(NamedTuple):
    """A published blob's header fields (a named tuple: cheap to make on every call)."""

    sequence: int         #: publish number, from 1
    length: int           #: payload bytes (for an ImageData frame, the whole frame)
    checksum: int         #: XXH3-64 of the payload
    publish_time_ns: int  #: CLOCK_REALTIME at publish, nanoseconds since the epoch
    writer_pid: int
    kind: int             #: KIND_IMAGE_DATA or KIND_RAW


#: sb_metadata and sb_view as struct layouts: one unpack instead of a ctypes access per field.
_METADATA_FIELDS = struct.Struct("@QQQqiI")
_VIEW_FIELDS = struct.Struct("@PNQQQqiIP")
assert _METADATA_FIELDS.size == ctypes.sizeof(_Metadata) and _VIEW_FIELDS.size == ctypes.sizeof(_View)


def _metadata(m: _Metadata) -> Metadata:
    return Metadata._make(_METADATA_FIELDS.unpack_from(m))


@dataclass(frozen=True)
class Blob:
    """What :meth:`Segment.read` returns: the content, its path label, the metadata."""

    content: bytes
    path: Optional[str]  #: the ImageData frame's label (untrusted text); None for raw bytes
    metadata: Metadata


def _split(address: int, length: int, kind: int) -> "tuple[Optional[str], int, int]":
    """(path, content address, content length) of a payload: a frame is split, raw bytes are not."""
    if kind != KIND_IMAGE_DATA:
        return None, address, length
    path, path_len, content, content_len = ctypes.c_char_p(), ctypes.c_size_t(), _P(), ctypes.c_size_t()
    _check(_lib.sb_frame_split(address, length, ctypes.byref(path), ctypes.byref(path_len),
                               ctypes.byref(content), ctypes.byref(content_len)))
    label = ctypes.string_at(ctypes.cast(path, _P).value or 0, path_len.value).decode("utf-8", "replace") if path_len.value else ""
    return label, content.value or 0, content_len.value


def _address(data: Buffer) -> "tuple[Any, int, Any]":
    """(address, length, keep-alive) of a C-contiguous buffer, without copying it."""
    if isinstance(data, bytes):
        return data or None, len(data), data  # ctypes passes bytes as a pointer to them
    view = memoryview(data)
    if not view.c_contiguous:
        raise InvalidArgument("the buffer is not contiguous (numpy: use numpy.ascontiguousarray)")
    if view.nbytes == 0:
        return 0, 0, view
    if not view.readonly:  # bytearray, numpy, mmap...: the first byte's address
        holder = ctypes.c_char.from_buffer(view)
        return ctypes.addressof(holder), view.nbytes, (view, holder)
    view = view.cast("B")
    try:  # a read-only buffer that is not bytes: numpy finds its address
        import numpy
        array = numpy.frombuffer(view, dtype=numpy.uint8)
        return int(array.ctypes.data), view.nbytes, (view, array)
    except ImportError:
        copy = bytes(view)
        return ctypes.cast(ctypes.c_char_p(copy), _P).value or 0, len(copy), copy


class Loan:
    """A slot lent by :meth:`Segment.loan`: write the blob into :attr:`buffer`, then commit.

    ``buffer`` is a writable memoryview of the slot itself (``numpy.frombuffer(loan.buffer,
    dtype=numpy.uint8)`` writes straight into shared memory). Nothing is visible to readers
    until :meth:`commit`; :meth:`abandon` (or an exception in the ``with`` block, or the
    process dying) publishes nothing and the previous blob stays the latest. Other writers
    wait while a loan is open: keep it short. Not for use from several threads.
    """

    def __init__(self, handle: int, address: int, length: int) -> None:
        self._loan: Optional[int] = handle
        array = (ctypes.c_ubyte * length).from_address(address) if length else bytearray()
        self.buffer: memoryview = memoryview(array).cast("B")
        #: The committed blob's metadata (None until :meth:`commit`).
        self.metadata: Optional[Metadata] = None

    @property
    def open(self) -> bool:
        """Whether the loan is neither committed nor abandoned yet."""
        return self._loan is not None

    def commit(self, count: Optional[int] = None) -> Metadata:
        """Publish the first ``count`` bytes (default: the whole loan) and end the loan."""
        if self._loan is None:
            raise InvalidArgument("the loan was already committed or abandoned")
        length = self.buffer.nbytes
        count = length if count is None else count
        if not 0 <= count <= length:
            raise InvalidArgument(f"commit of {count} bytes from a loan of {length}")
        self.buffer.release()  # BufferError while a numpy array or memoryview of it lives
        handle, self._loan = self._loan, None
        out = _Metadata()
        _check(_lib.sb_loan_commit(handle, count, ctypes.byref(out)))
        self.metadata = _metadata(out)
        return self.metadata

    def abandon(self) -> None:
        """End the loan without publishing (no-op when already ended)."""
        if self._loan is not None:
            handle, self._loan = self._loan, None
            try:
                self.buffer.release()
            except BufferError:
                pass  # an array over it outlives the loan: the slot is abandoned anyway
            _lib.sb_loan_abandon(handle)

    def __del__(self) -> None:
        try:
            self.abandon()
        except Exception:
            pass


class View:
    """One verified zero-copy view (:meth:`Segment.view`); a context manager.

    With the compiled extension, :meth:`Segment.view` returns ``sharedblob._fast.View``
    instead: the same attributes and behaviour, written in C (a small blob's view costs
    about 1 µs instead of 5), its failures decided by the same functions as this class.

    Entering it begins the view and returns the content as a read-only memoryview;
    leaving it releases the memoryview and ends the view, raising :class:`Overwritten`
    if a writer reused the slot meanwhile. Not reusable, not for several threads.
    """

    # Class-level defaults: a view is made for every blob read, so __init__ sets only
    # what the call gave.
    _view: Any = None  # what _end needs: the ctypes sb_view
    _mv: Optional[memoryview] = None
    _header: "Optional[tuple[int, ...]]" = None
    #: Its ImageData path label (untrusted text), or None for raw bytes.
    path: Optional[str] = None
    #: Where the content lies in this process (inside the segment's mapping).
    address = 0
    _handle = 0  # the segment's handle while the view is open

    def __init__(self, segment: "Segment", after: Optional[int] = None, timeout: Optional[float] = None) -> None:
        self._segment = segment
        self._after = -1 if after is None else _unsigned(after, "after", 63)
        self._timeout_ms = _milliseconds(timeout)

    @property
    def metadata(self) -> Optional[Metadata]:
        """The viewed blob's metadata (None before the block)."""
        return Metadata._make(self._header) if self._header is not None else None

    def __enter__(self) -> memoryview:
        if self._header is not None:
            raise InvalidArgument("a View is entered once; call Segment.view() again")
        handle = self._segment._acquire()  # in use until the view ends: a close() waits for it
        try:
            address, length, self._view, self._header = _begin(handle, self._after, self._timeout_ms)
        except BaseException:
            self._segment._release()
            raise
        try:
            if self._header[5] == KIND_IMAGE_DATA:
                self.path, address, length = _split(address, length, KIND_IMAGE_DATA)
            self.address = address
            self._mv = _readonly_memory(address, length) if length else _EMPTY[:]
        except Exception as error:
            view, self._view = self._view, None
            status = _end(handle, view)
            self._segment._release()
            _enter_failed(status, error)
        self._handle = handle
        return self._mv

    def __exit__(self, exc_type: Any, exc: Optional[BaseException], tb: Any) -> None:
        view, self._view = self._view, None
        mv, self._mv = self._mv, None
        if view is None:
            return
        try:
            if mv is not None:
                mv.release()  # BufferError while an array over it is alive: drop it first
        finally:
            status = _end(self._handle, view)
            self._segment._release()  # a close() inside the block unmaps now
        if status != 0:
            _exit_failed(status, exc)


def _enter_failed(status: int, error: BaseException) -> None:
    """Raises for a view whose content could not be taken (a frame that does not split):
    :class:`Overwritten` if the view's end says a writer reused the slot meanwhile (then it
    is not the blob's fault), else ``error`` itself."""
    if status == Overwritten.status:
        raise Overwritten(f"the blob was replaced while it was viewed ({error}); view again") from error
    raise error


def _exit_failed(status: int, exc: Optional[BaseException]) -> None:
    """Raises what a view's failed end means (``status`` not SB_OK): the status's error
    when the block went well; :class:`Overwritten` from the block's exception when a
    writer reused the slot meanwhile (whatever went wrong on replaced bytes, a frame that
    no longer parses say, is not the blob's fault); nothing otherwise (the block's own
    exception goes on)."""
    if exc is None:
        _check(status)
    elif status == Overwritten.status and isinstance(exc, Exception):
        raise Overwritten(f"the blob was replaced while it was viewed ({exc}); view again") from exc


#: The compiled View (``sharedblob._fast.View``): the same object as :class:`View`, its
#: failures decided by the same functions above; None with the ctypes backend.
_FastView: Any = None
if _fast is not None:
    _fast.init_view(_split, _check, _enter_failed, _exit_failed, Metadata, InvalidArgument)
    _FastView = _fast.View


class Segment:
    """An open SharedBlob segment (``/dev/shm/NAME``, or a regular file)."""

    def __init__(self, handle: int) -> None:
        # (box, users, closing), three lists the extension reads with one lookup. The handle
        # in box is freed once, by whoever pops it; each call and open view is an entry in
        # users while it runs (list.append and pop are atomic); close() marks closing and
        # leaves the freeing to the last user: the mapping never goes while in use.
        self._state: "tuple[list[int], list[None], list[bool]]" = ([handle] if handle else [], [], [])

    def _acquire(self) -> int:
        """The library handle, counted as in use until :meth:`_release`; InvalidArgument
        once the segment is closed. (The extension does the same in C.)"""
        box, users, closing = self._state
        users.append(None)
        if closing or not box:
            self._release()
            raise InvalidArgument("the segment is closed")
        return box[0]

    def _release(self) -> None:
        box, users, closing = self._state
        users.pop()
        if closing and not users:
            self._free()

    def _free(self) -> None:
        try:
            handle = self._state[0].pop()
        except IndexError:
            return  # freed already (by close or by the last user)
        _lib.sb_close(handle)

    @classmethod
    def open(cls, name: str, *, create: bool = False, capacity: int = 0) -> "Segment":
        """Open the segment ``name``; with ``create=True`` create it if missing."""
        return cls._open(_lib.sb_open, name, 1 if create else 2, capacity)

    @classmethod
    def create(cls, name: str, capacity: int = DEFAULT_CAPACITY) -> "Segment":
        """Create the segment ``name`` (:class:`Exists` if it does); ``capacity`` per slot."""
        return cls._open(_lib.sb_open, name, 0, capacity)

    @classmethod
    def open_file(cls, path: str, *, create: bool = False, capacity: int = 0) -> "Segment":
        """Open (or create) a segment kept in a regular file."""
        return cls._open(_lib.sb_open_file, path, 1 if create else 2, capacity)

    @classmethod
    def _open(cls, fn: Any, name: str, mode: int, capacity: int) -> "Segment":
        handle = _P()
        _check(fn(_text(name, "segment name"), mode, _unsigned(capacity, "capacity"), ctypes.byref(handle)))
        return cls(handle.value or 0)

    @staticmethod
    def remove(name: str) -> None:
        """Remove the segment ``name`` (refuses an object that is not one)."""
        _check(_lib.sb_remove(_text(name, "segment name")))

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        box, _, closing = self._state
        return bool(closing) or not box

    @property
    def capacity(self) -> int:
        """Payload capacity of each slot, bytes."""
        handle = self._acquire()
        try:
            return int(_lib.sb_capacity(handle))
        finally:
            self._release()

    def close(self) -> None:
        """Unmap the segment (it stays in /dev/shm); later calls raise :class:`InvalidArgument`.

        A view still open (a ``with seg.view()`` block in this or another thread) or a call
        still running in another thread (a ``wait``, a ``read``) keeps the mapping until it
        ends; the last of them unmaps it. A loan keeps its slot mapped until it ends."""
        _, users, closing = self._state
        closing.append(True)
        if not users:
            self._free()

    def __enter__(self) -> "Segment":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def publish(self, data: Buffer, path: Optional[str] = None) -> Metadata:
        """Publish ``data`` (bytes, bytearray, memoryview, a contiguous numpy array).

        With ``path`` it goes as an ImageData frame with that label (what ``blob-reader``
        shows and saves); without, as raw bytes. The previous blob stays readable until
        this one is complete.
        """
        label = _text(path, "path label") if path is not None else None
        if _fast is not None:  # counts itself in as _acquire does, in C
            try:
                r = _fast.publish(self, data, label)
            except InvalidArgument:
                raise
            except (BufferError, ValueError):  # what exporters raise for a non-contiguous buffer
                raise InvalidArgument("the buffer is not contiguous (numpy: use numpy.ascontiguousarray)") from None
            if type(r) is int:
                _check(r)
            return r  # type: ignore[no-any-return]  # the extension makes the Metadata
        handle = self._acquire()
        try:
            address, length, keep = _address(data)
            out = _Metadata()
            _check(_publish(handle, address or None, length, label, _byref(out)))
            del keep
            return _metadata(out)
        finally:
            self._release()

    @contextmanager
    def loan(self, length: int, *, timeout: Optional[float] = None) -> Iterator[Loan]:
        """Lend a slot of ``length`` bytes to write a raw blob in place (no copy).

        ``with seg.loan(n) as loan: fill(loan.buffer)`` publishes the ``n`` bytes when the
        block ends (or call ``loan.commit(count)`` inside it to publish fewer); an
        exception abandons the loan. Waits at most ``timeout`` seconds (default 10) for
        other writers. Close every view of ``loan.buffer`` (numpy arrays too) before the
        block ends.
        """
        handle, address = _P(), _P()
        ms = _milliseconds(timeout)
        segment = self._acquire()  # the loan keeps its slot mapped on its own once begun
        try:
            _check(_lib.sb_loan_begin(segment, _unsigned(length, "length", 63), KIND_RAW, ms,
                                      ctypes.byref(handle), ctypes.byref(address)))
        finally:
            self._release()
        lent = Loan(handle.value or 0, address.value or 0, length)
        try:
            yield lent
        except BaseException:
            lent.abandon()
            raise
        if lent.open:
            lent.commit()

    def read(self) -> Blob:
        """A verified copy of the latest blob (:class:`NothingPublished` if none).

        The library copies it out of the mapping (``sb_read``) through its SIGBUS guard, so
        a segment file truncated meanwhile raises :class:`Shrunk` instead of killing the
        process; the frame is split in the private copy."""
        for attempt in range(100):
            buffer = bytearray(max(self.latest().length, 1))  # never resized: its address holds
            base = ctypes.addressof(ctypes.c_char.from_buffer(buffer))
            out = _Metadata()
            handle = self._acquire()
            try:
                status = _lib.sb_read(handle, base, len(buffer), ctypes.byref(out))
            finally:
                self._release()
            if status == TooLarge.status and out.length > len(buffer):
                continue  # a longer blob arrived since latest(): make room for it
            _check(status)
            meta = _metadata(out)
            path, content, length = _split(base, meta.length, meta.kind)
            start = content - base if length else 0
            with memoryview(buffer) as whole:
                data = whole[start : start + length].tobytes()
            return Blob(data, path, meta)
        raise Busy("writers kept replacing the blob while it was read; try again")

    def view(self, after: Optional[int] = None, timeout: Optional[float] = None) -> "View":
        """A verified, read-only, zero-copy view of the latest content: ``with seg.view() as mv``.

        With ``after``, entering the block first waits (at most ``timeout`` seconds, else
        :class:`TimedOut`) for a blob newer than that sequence, as :meth:`wait` does, in
        the same call into the library: a reader loop is ``with seg.view(after=seq)``.

        ``mv`` is a memoryview of the content where it lies in the mapping, valid only
        inside the ``with`` block (it is released on exit). If a writer reused the slot
        while the block ran, :class:`Overwritten` is raised on exit: discard what the
        block computed and view again. ``numpy.frombuffer(mv, dtype=...)`` gives an array
        over the same memory (drop it before the block ends). The :class:`View` itself
        tells the blob's metadata and path label.
        """
        if _FastView is not None:  # it checks after and timeout as View does, in C
            return _FastView(self, after, timeout)  # type: ignore[return-value]
        return View(self, after, timeout)

    def wait(self, after: Optional[int] = None, timeout: Optional[float] = None) -> int:
        """Block until a blob newer than ``after`` (default: the latest now) is published.

        Sleeps on the segment's futex (no polling) after a short spin: 30 µs, or twice
        the last wait when that one ended within 200 µs in a blob under 1 MiB (at most
        200 µs), so a fast request and answer costs no wake-ups and keeps this process's
        CPU busy while it lasts; ``SHAREDBLOB_SPIN=0`` in the environment turns the spin
        off. Returns the newer sequence, or raises
        :class:`TimedOut` after ``timeout`` seconds. ``view(after=)`` waits the same way.
        """
        after = (self.latest().sequence if self._has_blob() else 0) if after is None else _unsigned(after, "after", 63)
        ms = _milliseconds(timeout)
        seq = ctypes.c_uint64()
        handle = self._acquire()
        try:
            _check(_wait(handle, after, ms, _byref(seq)))
        finally:
            self._release()
        return int(seq.value)

    def latest(self) -> Metadata:
        """The latest blob's metadata, without reading it."""
        out = _Metadata()
        handle = self._acquire()
        try:
            _check(_lib.sb_latest(handle, ctypes.byref(out)))
        finally:
            self._release()
        return _metadata(out)

    def _has_blob(self) -> bool:
        try:
            self.latest()
            return True
        except NothingPublished:
            return False
