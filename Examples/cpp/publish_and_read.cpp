// A C++ user of libsharedblob through the RAII wrapper: publishes a file under a label,
// reads it back (a verified copy, then a verified view) and says whether it is identical.
// Build: g++ -std=c++17 publish_and_read.cpp $(pkg-config --cflags --libs sharedblob) -o publish_and_read
// Usage: publish_and_read SEGMENT FILE LABEL           (docs/c-and-cpp.md; a test runs it)
#include "sharedblob.hpp"

#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>

int main(int argc, char **argv) {
    if (argc != 4) { std::cerr << "usage: " << argv[0] << " SEGMENT FILE LABEL\n"; return 2; }
    std::ifstream in(argv[2], std::ios::binary);
    std::vector<unsigned char> file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    try {
        auto seg = sharedblob::Segment::open(argv[1]);
        auto published = seg.publish(file.data(), file.size(), argv[3]);
        sb_metadata meta{};
        auto frame = seg.read(&meta);
        const char *path; size_t path_len; const void *content; size_t content_len;
        sharedblob::check(sb_frame_split(frame.data(), frame.size(), &path, &path_len, &content, &content_len), "frame");
        bool same = content_len == file.size() && std::memcmp(content, file.data(), content_len) == 0;
        bool stayed = false;
        while (!stayed) {
            sharedblob::View view(seg);
            stayed = view.end();
        }
        std::cout << "sequence " << published.sequence << ": " << content_len << " bytes, label "
                  << sharedblob::terminal_text(path, path_len) << ", " << (same ? "identical to the file" : "DIFFERENT") << "\n";
    } catch (const sharedblob::Error &e) {
        std::cerr << e.what() << " (status " << e.status << ")\n";
        return 1;
    }
    return 0;
}
