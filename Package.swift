// swift-tools-version: 6.0
// The architecture on one screen: C libraries enter through small system-library
// modules, each Swift module owns one concern, executables only parse and wire.
import PackageDescription

let package = Package(
    name: "SharedBlob",
    products: [
        .executable(name: "blob-writer", targets: ["blob-writer"]),
        .executable(name: "blob-reader", targets: ["blob-reader"]),
        .executable(name: "blob-bench", targets: ["blob-bench"]),
        .executable(name: "blob-ipc-demo", targets: ["blob-ipc-demo"]),
        .executable(name: "blob-ipc-child", targets: ["blob-ipc-child"]),
        .library(name: "BlobCodec", targets: ["BlobCodec"]),
        .library(name: "SharedMemory", targets: ["SharedMemory"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    ],
    targets: [
        // C libraries (Debian -dev packages), one module each.
        .systemLibrary(name: "CXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // What Swift cannot import: atomics and futex on mapped memory, and the
        // documented segment layout (include/blob_segment.h) that C programs map.
        .target(name: "CShims"),
        .systemLibrary(name: "CNcurses", pkgConfig: "ncursesw", providers: [.apt(["libncurses-dev"])]),
        // libpng (classic row API, every setjmp kept in C) and TurboJPEG.
        .target(name: "CImage", dependencies: ["CPNG", "CTurboJPEG"]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),

        // Pure Swift, standard library only: the ImageData frame.
        .target(name: "BlobCodec"),
        // SHA-256 (libcrypto) and XXH3-64 (libxxhash).
        .target(name: "Hashing", dependencies: ["CXXHash", "CCrypto"]),
        // Segments, header, seqlock publishing, waiting: the only code calling shm/mmap/flock.
        .target(name: "SharedMemory", dependencies: ["CShims", "Hashing", "BlobCodec"]),
        // Records declared as packed field lists, read and written in shared memory; C headers.
        .target(name: "SharedRecords", dependencies: ["SharedMemory"]),
        // Decoding and the character preview: a cell grid, no terminal dependency.
        .target(name: "ImagePreview", dependencies: ["CImage"]),
        // The terminal layer: Screen values, a Terminal protocol, ncurses and in-memory backends.
        .target(name: "TerminalUI", dependencies: ["CNcurses"]),
        // The commands of both executables, exit codes and output formatting.
        .target(name: "BlobCLI", dependencies: [
            "BlobCodec", "Hashing", "SharedMemory", "ImagePreview", "SharedRecords",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // The two terminal apps: state, keys and screens as plain values.
        .target(name: "BlobApps", dependencies: ["BlobCLI", "BlobCodec", "TerminalUI", "ImagePreview", "SharedMemory",
                                                 .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        .executableTarget(name: "blob-writer", dependencies: ["BlobCLI", "BlobApps"]),
        .executableTarget(name: "blob-reader", dependencies: ["BlobCLI", "BlobApps"]),
        // The parent/child demo: a Swift parent and a C child (header generated from the Swift declaration).
        .executableTarget(name: "blob-ipc-demo", dependencies: [
            "SharedMemory", "SharedRecords", "blob-ipc-child",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "blob-ipc-child", dependencies: ["CShims"]),
        .executableTarget(name: "blob-bench", dependencies: [
            "SharedMemory", "Hashing", "BlobCodec", "CPNG", "BlobApps", "TerminalUI",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Spawning real processes, scratch segments and files for the tests.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "BlobCodecTests", dependencies: ["BlobCodec", "TestSupport"]),
        .testTarget(name: "SharedMemoryTests", dependencies: ["SharedMemory", "BlobCodec", "Hashing", "CShims", "TestSupport"]),
        .testTarget(name: "ImagePreviewTests", dependencies: ["ImagePreview", "TestSupport", "CTurboJPEG"]),
        .testTarget(name: "TerminalUITests", dependencies: ["TerminalUI"]),
        .testTarget(name: "BlobAppsTests", dependencies: ["BlobApps", "BlobCLI", "TerminalUI", "SharedMemory", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "blob-writer", "blob-reader"]),
        .testTarget(name: "CLITests", dependencies: [
            "BlobCodec", "Hashing", "SharedMemory", "SharedRecords", "TestSupport",
            "blob-writer", "blob-reader", "blob-bench", "blob-ipc-demo", "blob-ipc-child",
        ]),
    ]
)
