/* sharedblob._fast: the hot calls of the package (publish, view begin/end) as a CPython
 * extension over libsharedblob, so that a small blob does not pay ctypes' argument
 * conversion on every call. Optional: without it (no compiler or Python headers at
 * install time) the package makes the same calls through ctypes.
 *
 * It is not linked against the library: init() hands it the addresses of the functions
 * of the very library ctypes loaded (one engine in the process, wherever it was found).
 *
 * Every function releases the GIL around the library call (a view may wait for a
 * publish; a publish of 10 MiB copies for a millisecond) and reports a failure as the
 * sb_status integer, leaving the message to sb_last_error() on the same thread, which
 * is what the ctypes path does too: one error mapping, in __init__.py. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
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

static PyObject *metadata_tuple(const sb_metadata *m) {
    return Py_BuildValue("(KKKLiI)", (unsigned long long)m->sequence, (unsigned long long)m->length,
                         (unsigned long long)m->checksum, (long long)m->publish_time_ns, (int)m->writer_pid,
                         (unsigned int)m->kind);
}

/* publish(handle, buffer, path: bytes | None) -> metadata tuple | status int */
static PyObject *fast_publish(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "publish(handle, buffer, path)");
        return NULL;
    }
    if (!ready()) return NULL;
    sb_segment *segment = handle_of(args[0]);
    if (segment == NULL && PyErr_Occurred()) return NULL;
    const char *path = NULL;
    if (args[2] != Py_None) {
        path = PyBytes_AsString(args[2]);
        if (path == NULL) return NULL;
    }
    Py_buffer buffer;
    if (PyObject_GetBuffer(args[1], &buffer, PyBUF_C_CONTIGUOUS) != 0) return NULL;
    sb_metadata out;
    sb_status status;
    Py_BEGIN_ALLOW_THREADS
    status = sb_publish_(segment, buffer.len ? buffer.buf : NULL, (size_t)buffer.len, path, &out);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&buffer);
    if (status != SB_OK) return PyLong_FromLong(status);
    return metadata_tuple(&out);
}

/* view_begin(handle, after: int (-1: the latest now), timeout_ms)
 *   -> (memoryview, address, token, sequence, length, checksum, time_ns, pid, kind) | status int
 * The memoryview is read-only over the payload where it lies; token is for view_end. */
static PyObject *fast_view_begin(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "view_begin(handle, after, timeout_ms)");
        return NULL;
    }
    if (!ready()) return NULL;
    sb_segment *segment = handle_of(args[0]);
    if (segment == NULL && PyErr_Occurred()) return NULL;
    long long after = PyLong_AsLongLong(args[1]);
    long long timeout = PyLong_AsLongLong(args[2]);
    if (PyErr_Occurred()) return NULL;
    sb_view view;
    sb_status status;
    Py_BEGIN_ALLOW_THREADS
    status = after < 0 ? sb_view_begin_(segment, &view) : sb_view_after_(segment, (uint64_t)after, timeout, &view);
    Py_END_ALLOW_THREADS
    if (status != SB_OK) return PyLong_FromLong(status);
    static const char empty = 0;
    PyObject *memory = PyMemoryView_FromMemory(view.length ? (char *)view.bytes : (char *)&empty,
                                               (Py_ssize_t)view.length, PyBUF_READ);
    if (memory == NULL) {
        sb_view_end_(segment, &view);
        return NULL;
    }
    const sb_metadata *m = &view.metadata;
    return Py_BuildValue("(NKKKKKLiI)", memory, (unsigned long long)(uintptr_t)view.bytes,
                         (unsigned long long)(uintptr_t)view.internal_, (unsigned long long)m->sequence,
                         (unsigned long long)m->length, (unsigned long long)m->checksum, (long long)m->publish_time_ns,
                         (int)m->writer_pid, (unsigned int)m->kind);
}

/* view_end(handle, token) -> status int (SB_OK: the bytes stayed the verified ones) */
static PyObject *fast_view_end(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "view_end(handle, token)");
        return NULL;
    }
    if (!ready()) return NULL;
    sb_segment *segment = handle_of(args[0]);
    void *token = PyLong_AsVoidPtr(args[1]);
    if (PyErr_Occurred()) return NULL;
    sb_view view = {0};
    view.internal_ = token;
    sb_status status = sb_view_end_(segment, &view);  /* no wait, no copy: keeps the GIL */
    return PyLong_FromLong(status);
}

static PyMethodDef methods[] = {
    {"init", (PyCFunction)(void (*)(void))fast_init, METH_FASTCALL, "init(publish, view_begin, view_after, view_end)"},
    {"publish", (PyCFunction)(void (*)(void))fast_publish, METH_FASTCALL, "publish(handle, buffer, path)"},
    {"view_begin", (PyCFunction)(void (*)(void))fast_view_begin, METH_FASTCALL, "view_begin(handle, after, timeout_ms)"},
    {"view_end", (PyCFunction)(void (*)(void))fast_view_end, METH_FASTCALL, "view_end(handle, token)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "sharedblob._fast",
                                    "libsharedblob's hot calls without ctypes.", -1, methods,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__fast(void) { return PyModule_Create(&module); }
