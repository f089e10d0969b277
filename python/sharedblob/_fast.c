/* sharedblob._fast: the hot calls of the package (publish, the View) as a CPython
 * extension over libsharedblob, so that a small blob does not pay ctypes' argument
 * conversion on every call. Optional: without it (no compiler or Python headers at
 * install time) the package makes the same calls through ctypes.
 *
 * It is not linked against the library: init() hands it the addresses of the functions
 * of the very library ctypes loaded (one engine in the process, wherever it was found).
 *
 * Both release the GIL around the library call (a view may wait for a publish; a
 * publish of 10 MiB copies for a millisecond). publish reports a failure as the
 * sb_status integer and the View hands it to the package's functions, leaving the message
 * to sb_last_error() on the same thread, which is what the ctypes path does too: one
 * error mapping, in __init__.py. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>

#include "sharedblob.h"

static sb_status (*sb_publish_)(sb_segment *, const void *, size_t, const char *, sb_metadata *);
static sb_status (*sb_view_begin_)(sb_segment *, sb_view *);
static sb_status (*sb_view_after_)(sb_segment *, uint64_t, int64_t, sb_view *);
static sb_status (*sb_view_end_)(sb_segment *, const sb_view *);

static void *handle_of(PyObject *object) { return PyLong_AsVoidPtr(object); }

/* init(publish, view_begin, view_after, view_end): the library's functions' addresses. */
static PyObject *fast_init(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "init(publish, view_begin, view_after, view_end)");
        return NULL;
    }
    void *p[4];
    for (int i = 0; i < 4; i++) {
        p[i] = PyLong_AsVoidPtr(args[i]);
        if (p[i] == NULL) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "a NULL function address");
            return NULL;
        }
    }
    *(void **)&sb_publish_ = p[0];
    *(void **)&sb_view_begin_ = p[1];
    *(void **)&sb_view_after_ = p[2];
    *(void **)&sb_view_end_ = p[3];
    Py_RETURN_NONE;
}

static int ready(void) {
    if (sb_view_end_ != NULL) return 1;
    PyErr_SetString(PyExc_RuntimeError, "sharedblob._fast.init() was not called");
    return 0;
}

/* Set by init_view: the package's functions for the rare paths, and its types. */
static PyObject *hook_split, *hook_check, *hook_enter_failed, *hook_exit_failed, *metadata_type, *invalid_argument;

/* The package's Metadata named tuple of m (a plain tuple before init_view), made the way
 * tuple.__new__(Metadata, fields) makes it (the type's allocation, then the items), less
 * the intermediate tuples: a 64-byte blob's publish and view each paid ~0.5 us for them. */
static PyObject *metadata_object(const sb_metadata *m) {
    PyObject *items[6] = {
        PyLong_FromUnsignedLongLong(m->sequence), PyLong_FromUnsignedLongLong(m->length),
        PyLong_FromUnsignedLongLong(m->checksum), PyLong_FromLongLong(m->publish_time_ns),
        PyLong_FromLong(m->writer_pid), PyLong_FromUnsignedLong(m->kind),
    };
    PyObject *object = NULL;
    int complete = 1;
    for (int i = 0; i < 6; i++) complete &= items[i] != NULL;
#if PY_VERSION_HEX >= 0x030E0000
    /* 3.14 caches a tuple's hash in the object, "not yet" being -1, which only tuple's
     * own constructors set (a zeroed allocation would hash as 0): build it their way. */
    if (complete && metadata_type != NULL) {
        PyObject *fields = PyTuple_New(6);
        if (fields != NULL) {
            for (int i = 0; i < 6; i++) PyTuple_SET_ITEM(fields, i, items[i]);  /* steals */
            PyObject *args = PyTuple_Pack(1, fields);
            Py_DECREF(fields);
            if (args == NULL) return NULL;
            object = PyTuple_Type.tp_new((PyTypeObject *)metadata_type, args, NULL);
            Py_DECREF(args);
            return object;
        }
    }
#endif
    if (complete) {
        object = metadata_type != NULL ? ((PyTypeObject *)metadata_type)->tp_alloc((PyTypeObject *)metadata_type, 6)
                                       : PyTuple_New(6);
    }
    if (object == NULL) {
        for (int i = 0; i < 6; i++) Py_XDECREF(items[i]);
        return NULL;
    }
    for (int i = 0; i < 6; i++) PyTuple_SET_ITEM(object, i, items[i]);  /* steals */
    return object;
}

/* Names looked up on every publish and view, made once (PyInit__fast). */
static PyObject *name_acquire, *name_state, *name_free, *name_release;

/* The owner's (a Segment's) library handle, counted as in use as Segment._acquire
 * counts it (an entry in the users list of its _state, which *held then keeps, so a
 * close() meanwhile leaves the unmapping to the last user), or NULL with the package's
 * error set when it is closed. Done here, the GIL held throughout, it is one step to
 * other threads, and costs no Python call while the segment is open. */
static sb_segment *segment_acquire(PyObject *owner, PyObject **held) {
    PyObject *state = PyObject_GetAttr(owner, name_state);  /* (box, users, closing) */
    if (state == NULL) return NULL;
    sb_segment *segment = NULL;
    if (PyTuple_Check(state) && PyTuple_GET_SIZE(state) == 3) {
        PyObject *box = PyTuple_GET_ITEM(state, 0), *users = PyTuple_GET_ITEM(state, 1), *closing = PyTuple_GET_ITEM(state, 2);
        if (PyList_Check(box) && PyList_Check(users) && PyList_Check(closing) && PyList_GET_SIZE(closing) == 0 &&
            PyList_GET_SIZE(box) == 1) {
            if (PyList_Append(users, Py_None) == 0) {
                Py_INCREF(state);
                *held = state;
                segment = handle_of(PyList_GET_ITEM(box, 0));
            }
        } else {  /* closed: Segment._acquire raises the package's error */
            PyObject *r = PyObject_CallMethodNoArgs(owner, name_acquire);
            Py_XDECREF(r);
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "the segment is closed");
        }
    } else {
        PyErr_SetString(PyExc_TypeError, "a Segment's _state must be (box, users, closing)");
    }
    Py_DECREF(state);
    if (segment == NULL && !PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "a NULL segment handle");
    return segment;
}

/* Ends a use of the owner's handle, as Segment._release does (the last user after a
 * close() frees it), keeping any exception that is being raised. */
static void segment_release(PyObject *owner, PyObject **held) {
    PyObject *state = *held;
    if (state == NULL) return;
    *held = NULL;
    PyObject *users = PyTuple_GET_ITEM(state, 1), *closing = PyTuple_GET_ITEM(state, 2);
    Py_ssize_t n = PyList_GET_SIZE(users);
    if (n > 0) {
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        PyList_SetSlice(users, n - 1, n, NULL);
        if (n == 1 && PyList_GET_SIZE(closing) > 0) {
            PyObject *r = PyObject_CallMethodNoArgs(owner, name_free);
            Py_XDECREF(r);
        }
        PyErr_Clear();
        PyErr_Restore(type, value, tb);
    }
    Py_DECREF(state);
}

/* publish(segment, buffer, path: bytes | None) -> Metadata | status int; the Segment's
 * handle counted as in use for the call. */
static PyObject *fast_publish(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "publish(segment, buffer, path)");
        return NULL;
    }
    if (!ready()) return NULL;
    const char *path = NULL;
    if (args[2] != Py_None) {
        path = PyBytes_AsString(args[2]);
        if (path == NULL) return NULL;
    }
    Py_buffer buffer;
    if (PyObject_GetBuffer(args[1], &buffer, PyBUF_C_CONTIGUOUS) != 0) return NULL;
    PyObject *held = NULL;
    sb_segment *segment = segment_acquire(args[0], &held);
    if (segment == NULL) {
        segment_release(args[0], &held);
        PyBuffer_Release(&buffer);
        return NULL;
    }
    sb_metadata out;
    sb_status status;
    Py_BEGIN_ALLOW_THREADS
    status = sb_publish_(segment, buffer.len ? buffer.buf : NULL, (size_t)buffer.len, path, &out);
    Py_END_ALLOW_THREADS
    segment_release(args[0], &held);
    PyBuffer_Release(&buffer);
    if (status != SB_OK) return PyLong_FromLong(status);
    return metadata_object(&out);
}

/* ---- View: the whole `with seg.view() as mv:` in C -------------------------------
 * The same object as __init__.py's View (begin on enter, the memoryview of the content,
 * end on exit, metadata/path/address), without the Python-level bookkeeping that cost a
 * small blob's reader ~4 us a view. The rare paths call back into the package (set by
 * init_view): splitting an ImageData frame, raising the error of a status, deciding what
 * a failed end raises. One behaviour, written once, in Python. */

/* init_view(split, check, enter_failed, exit_failed, Metadata, InvalidArgument) */
static PyObject *fast_init_view(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (nargs != 6) {
        PyErr_SetString(PyExc_TypeError, "init_view(split, check, enter_failed, exit_failed, Metadata, InvalidArgument)");
        return NULL;
    }
    if (!PyType_Check(args[4]) || !PyType_IsSubtype((PyTypeObject *)args[4], &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "init_view: Metadata must be a tuple type");
        return NULL;
    }
    PyObject **slots[6] = {&hook_split, &hook_check, &hook_enter_failed, &hook_exit_failed, &metadata_type, &invalid_argument};
    for (int i = 0; i < 6; i++) {
        Py_INCREF(args[i]);
        Py_XSETREF(*slots[i], args[i]);
    }
    Py_RETURN_NONE;
}

typedef struct {
    PyObject_HEAD
    PyObject *owner;      /* the Segment: kept alive (its mapping) while the view lives */
    sb_segment *segment;  /* its handle, from owner._acquire() on entering (closed: raises) */
    PyObject *users;      /* owner._state while this view counts in it (owner_acquire) */
    long long after;      /* -1: the latest now */
    long long timeout_ms; /* -1: no limit */
    int state;            /* 0 new, 1 entered, 2 ended */
    sb_view view;
    PyObject *mv, *base, *path, *metadata;
    unsigned long long address;
} ViewObject;

static sb_segment *owner_acquire(ViewObject *v) { return segment_acquire(v->owner, &v->users); }
static void owner_release(ViewObject *v) { segment_release(v->owner, &v->users); }

static PyObject *view_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    PyObject *owner, *after = Py_None, *timeout = Py_None;
    static char *names[] = {"segment", "after", "timeout", NULL};
    Py_ssize_t count = PyTuple_GET_SIZE(args);
    if (kwargs == NULL && count >= 1 && count <= 3) {  /* how Segment.view calls it; no parsing */
        owner = PyTuple_GET_ITEM(args, 0);
        if (count > 1) after = PyTuple_GET_ITEM(args, 1);
        if (count > 2) timeout = PyTuple_GET_ITEM(args, 2);
    } else if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|OO", names, &owner, &after, &timeout)) {
        return NULL;
    }
    if (!ready()) return NULL;
    ViewObject *v = (ViewObject *)type->tp_alloc(type, 0);
    if (v == NULL) return NULL;
    Py_INCREF(owner);
    v->owner = owner;
    /* The rules of __init__.py's _unsigned(after, 63) and _milliseconds(timeout), here so
     * that a view pays no Python call for them: InvalidArgument for what they refuse. */
    PyObject *refused = invalid_argument ? invalid_argument : PyExc_ValueError;
    v->after = -1;
    if (after != Py_None) {
        long long a = -1;
        if (!PyLong_Check(after) || PyBool_Check(after)) {
            PyErr_Format(refused, "after must be an integer, not %s", Py_TYPE(after)->tp_name);
        } else if ((a = PyLong_AsLongLong(after)) < 0) {
            PyErr_Clear();
            PyErr_Format(refused, "after %R is out of range (0 to 2**63 - 1)", after);
        } else {
            v->after = a;
        }
    }
    v->timeout_ms = -1;
    if (timeout != Py_None && !PyErr_Occurred()) {
        double seconds = PyBool_Check(timeout) ? -1 : PyFloat_AsDouble(timeout);
        if (PyBool_Check(timeout) || (seconds == -1 && PyErr_Occurred())) {
            PyErr_Clear();
            PyErr_Format(refused, "the timeout must be a number of seconds, not %s", Py_TYPE(timeout)->tp_name);
        } else if (isnan(seconds)) {
            PyErr_SetString(refused, "the timeout is NaN");
        } else {
            double ms = seconds * 1000.0;
            v->timeout_ms = ms <= 0 ? 0 : ms >= 9e18 ? 9000000000000000000LL : (long long)ms;  /* _LONGEST_MS */
        }
    }
    if (PyErr_Occurred()) {
        Py_DECREF(v);
        return NULL;
    }
    Py_INCREF(Py_None);
    v->path = Py_None;
    return (PyObject *)v;
}

/* Releases a memoryview (a BufferError while an array over it lives is left set). */
static int release(PyObject *mv) {
    if (mv == NULL) return 0;
    PyObject *r = PyObject_CallMethodNoArgs(mv, name_release);
    if (r == NULL) return -1;
    Py_DECREF(r);
    return 0;
}

static PyObject *view_enter(ViewObject *v, PyObject *unused) {
    (void)unused;
    if (v->state != 0) {
        PyErr_SetString(invalid_argument ? invalid_argument : PyExc_RuntimeError, "a View is entered once; call Segment.view() again");
        return NULL;
    }
    v->segment = owner_acquire(v);  /* InvalidArgument when closed */
    if (v->segment == NULL) {
        owner_release(v);
        return NULL;
    }
    sb_status status;
    Py_BEGIN_ALLOW_THREADS
    status = v->after < 0 ? sb_view_begin_(v->segment, &v->view)
                          : sb_view_after_(v->segment, (uint64_t)v->after, v->timeout_ms, &v->view);
    Py_END_ALLOW_THREADS
    if (status != SB_OK) {
        PyObject *r = PyObject_CallFunction(hook_check, "i", (int)status);  /* raises */
        Py_XDECREF(r);
        owner_release(v);
        return NULL;
    }
    v->state = 1;
    static const char empty = 0;
    PyObject *whole = PyMemoryView_FromMemory(v->view.length ? (char *)v->view.bytes : (char *)&empty,
                                              (Py_ssize_t)v->view.length, PyBUF_READ);
    if (whole == NULL) goto failed;
    v->address = (unsigned long long)(uintptr_t)v->view.bytes;
    if (v->view.metadata.kind != SB_KIND_IMAGE_DATA) {
        v->mv = whole;
    } else {
        v->base = whole;  /* released in failed: after the exception is fetched */
        PyObject *parts = PyObject_CallFunction(hook_split, "KKI", v->address, (unsigned long long)v->view.length,
                                                (unsigned int)v->view.metadata.kind);
        unsigned long long content = 0, length = 0;
        PyObject *path = NULL;
        if (parts == NULL || !PyArg_ParseTuple(parts, "OKK", &path, &content, &length)) {
            Py_XDECREF(parts);
            goto failed;
        }
        Py_INCREF(path);
        Py_SETREF(v->path, path);
        Py_DECREF(parts);
        Py_ssize_t offset = (Py_ssize_t)(content - v->address);
        v->address = content;
        v->mv = PySequence_GetSlice(whole, offset, offset + (Py_ssize_t)length);
        if (v->mv == NULL) goto failed;
    }
    Py_INCREF(v->mv);
    return v->mv;

failed: {
        /* What went wrong on bytes a writer replaced meanwhile is not the blob's fault. */
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        PyErr_NormalizeException(&type, &value, &tb);
        release(v->mv);
        release(v->base);
        PyErr_Clear();  /* nothing exports them yet: a release cannot fail here */
        Py_CLEAR(v->mv);
        Py_CLEAR(v->base);
        v->address = 0;
        v->state = 2;
        sb_status end = sb_view_end_(v->segment, &v->view);
        owner_release(v);
        PyObject *r = PyObject_CallFunction(hook_enter_failed, "iO", (int)end, value ? value : Py_None);  /* raises */
        Py_XDECREF(r);
        Py_XDECREF(type);
        Py_XDECREF(value);
        Py_XDECREF(tb);
        return NULL;
    }
}

static PyObject *view_exit(ViewObject *v, PyObject *const *args, Py_ssize_t nargs) {
    if (v->state != 1) Py_RETURN_FALSE;
    v->state = 2;
    int failed = release(v->mv) != 0;
    if (!failed) failed = release(v->base) != 0;
    Py_CLEAR(v->mv);
    Py_CLEAR(v->base);
    if (failed) {  /* the BufferError goes on; the view ends all the same */
        sb_view_end_(v->segment, &v->view);
        owner_release(v);
        return NULL;
    }
    sb_status status = sb_view_end_(v->segment, &v->view);
    owner_release(v);  /* a close() inside the block unmaps now */
    if (status == SB_OK) Py_RETURN_FALSE;
    PyObject *exc = nargs >= 2 ? args[1] : Py_None;
    PyObject *r = PyObject_CallFunction(hook_exit_failed, "iO", (int)status, exc);  /* raises, or None */
    if (r == NULL) return NULL;
    Py_DECREF(r);
    Py_RETURN_FALSE;
}

static PyObject *view_metadata(ViewObject *v, void *unused) {
    (void)unused;
    if (v->state == 0) Py_RETURN_NONE;
    if (v->metadata == NULL) {
        v->metadata = metadata_object(&v->view.metadata);
        if (v->metadata == NULL) return NULL;
    }
    Py_INCREF(v->metadata);
    return v->metadata;
}

static PyObject *view_path(ViewObject *v, void *unused) {
    (void)unused;
    Py_INCREF(v->path);
    return v->path;
}

static PyObject *view_address(ViewObject *v, void *unused) {
    (void)unused;
    return PyLong_FromUnsignedLongLong(v->state == 0 ? 0 : v->address);
}

static void view_dealloc(ViewObject *v) {
    if (v->state == 1) {  /* never exited: end it here, so the library's hold is freed */
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);  /* an exception may be unwinding: keep it */
        release(v->mv);
        release(v->base);
        PyErr_Clear();
        sb_view_end_(v->segment, &v->view);
        owner_release(v);
        PyErr_Clear();
        PyErr_Restore(type, value, tb);
    }
    owner_release(v);  /* no-op unless a view still counted itself in */
    Py_XDECREF(v->owner);
    Py_XDECREF(v->mv);
    Py_XDECREF(v->base);
    Py_XDECREF(v->path);
    Py_XDECREF(v->metadata);
    Py_TYPE(v)->tp_free((PyObject *)v);
}

static PyMethodDef view_methods[] = {
    {"__enter__", (PyCFunction)view_enter, METH_NOARGS, "Begins the view: the content as a read-only memoryview."},
    {"__exit__", (PyCFunction)(void (*)(void))view_exit, METH_FASTCALL, "Ends the view (Overwritten if a writer reused the slot)."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef view_getset[] = {
    {"metadata", (getter)view_metadata, NULL, "The viewed blob's metadata (None before the block).", NULL},
    {"path", (getter)view_path, NULL, "Its ImageData path label (untrusted text), or None for raw bytes.", NULL},
    {"address", (getter)view_address, NULL, "Where the content lies in this process (inside the mapping).", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject ViewType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "sharedblob._fast.View",
    .tp_doc = "One verified zero-copy view (Segment.view); a context manager.",
    .tp_basicsize = sizeof(ViewObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = view_new,
    .tp_dealloc = (destructor)view_dealloc,
    .tp_methods = view_methods,
    .tp_getset = view_getset,
};

static PyMethodDef methods[] = {
    {"init_view", (PyCFunction)(void (*)(void))fast_init_view, METH_FASTCALL,
     "init_view(split, check, enter_failed, exit_failed, Metadata, InvalidArgument)"},
    {"init", (PyCFunction)(void (*)(void))fast_init, METH_FASTCALL, "init(publish, view_begin, view_after, view_end)"},
    {"publish", (PyCFunction)(void (*)(void))fast_publish, METH_FASTCALL, "publish(segment, buffer, path)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "sharedblob._fast",
                                    "libsharedblob's hot calls without ctypes.", -1, methods,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__fast(void) {
    name_acquire = PyUnicode_InternFromString("_acquire");
    name_state = PyUnicode_InternFromString("_state");
    name_free = PyUnicode_InternFromString("_free");
    name_release = PyUnicode_InternFromString("release");
    if (name_acquire == NULL || name_state == NULL || name_free == NULL || name_release == NULL) return NULL;
    if (PyType_Ready(&ViewType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) return NULL;
    Py_INCREF(&ViewType);
    if (PyModule_AddObject(m, "View", (PyObject *)&ViewType) < 0) {
        Py_DECREF(&ViewType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
