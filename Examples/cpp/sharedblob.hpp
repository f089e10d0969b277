// A small RAII wrapper over sharedblob.h for C++17: a Segment that closes itself, errors
// as exceptions carrying the library's status and message, and a View that ends itself.
// Header-only; link with $(pkg-config --libs sharedblob).
#pragma once
#include <sharedblob.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace sharedblob {

struct Error : std::runtime_error {
    sb_status status;
    Error(sb_status s, const std::string &what) : std::runtime_error(what + ": " + sb_last_error()), status(s) {}
};

inline void check(sb_status s, const char *what) {
    if (s != SB_OK) throw Error(s, what);
}

/// Untrusted text (a path label) as it is safe to print on a terminal: sb_terminal_text.
inline std::string terminal_text(const char *text, size_t len) {
    std::string out(4 * len + 1, '\0');
    size_t needed = 0;
    check(sb_terminal_text(text, len, &out[0], out.size(), &needed), "terminal text");
    out.resize(needed - 1);
    return out;
}

class Segment {
  public:
    static Segment open(const std::string &name, sb_open_mode mode = SB_CREATE_OR_OPEN, uint64_t capacity = 0) {
        sb_segment *s = nullptr;
        check(sb_open(name.c_str(), mode, capacity, &s), "open");
        return Segment(s);
    }
    Segment(Segment &&other) noexcept : s_(std::exchange(other.s_, nullptr)) {}
    Segment &operator=(Segment &&other) noexcept { std::swap(s_, other.s_); return *this; }
    Segment(const Segment &) = delete;
    Segment &operator=(const Segment &) = delete;
    ~Segment() { sb_close(s_); }

    /// Publishes bytes as an ImageData frame with a path label.
    sb_metadata publish(const void *data, size_t len, const std::string &label) {
        sb_metadata m{};
        check(sb_publish(s_, data, len, label.c_str(), &m), "publish");
        return m;
    }

    /// A verified copy of the latest payload (for a frame: the whole frame).
    std::vector<unsigned char> read(sb_metadata *meta = nullptr) {
        std::vector<unsigned char> buffer(sb_capacity(s_));
        sb_metadata m{};
        check(sb_read(s_, buffer.data(), buffer.size(), &m), "read");
        buffer.resize(m.length);
        if (meta) *meta = m;
        return buffer;
    }

    sb_segment *get() const { return s_; }

  private:
    explicit Segment(sb_segment *s) : s_(s) {}
    sb_segment *s_;
};

/// A verified zero-copy view; valid() at the end says whether it stayed verified.
class View {
  public:
    explicit View(Segment &seg) : seg_(seg) { check(sb_view_begin(seg.get(), &v_), "view"); }
    View(const View &) = delete;
    ~View() { if (!ended_) sb_view_end(seg_.get(), &v_); }
    const unsigned char *data() const { return static_cast<const unsigned char *>(v_.bytes); }
    size_t size() const { return v_.length; }
    const sb_metadata &metadata() const { return v_.metadata; }
    /// Ends the view: true if the bytes stayed the verified ones while it was open.
    bool end() {
        ended_ = true;
        sb_status s = sb_view_end(seg_.get(), &v_);
        if (s == SB_OVERWRITTEN) return false;
        check(s, "view end");
        return true;
    }

  private:
    Segment &seg_;
    sb_view v_{};
    bool ended_ = false;
};

}  // namespace sharedblob
