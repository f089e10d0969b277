// swift-tools-version: 6.0
// The architecture on one screen. Each module depends only on those listed above it:
//
//   C libraries     CBlobSegment (the public layout header) · CBlobMutex (robust mutex, also
//                   linked by the C child) · CAtomics (private atomics/futex) · CXXHash ·
//                   CCrypto · CPNG · CTurboJPEG · CJPEG · CImage (every libpng/libjpeg call) · CNcurses ·
//                   CSixel (libsixel, loaded on first use) · CTerminalGuard (the terminal restored on a crash)
//   foundations     Platform (the environment, the calls several modules make, one EINTR rule, one system-call error) · TerminalColors (the palette) · SafeText (escaping) · BlobCodec (the frame) · Hashing
//   engine          SharedMemory (payload-agnostic segments, seqlock, futex, mutex)
//                   SharedRecords (typed packed records on it)
//   services        BlobTransfer: publish a file, receive + verify, records, files, watching
//   C library       SharedBlobC (libsharedblob.so, sharedblob.h in CSharedBlob): the engine for C,
//                   C++, Python, C#
//   presentation    ImagePreview (decode + cell grid) · TerminalGraphics (sixel, kitty, iTerm2; asking the
//                   terminal) · TerminalUI (screens, the run loop)
//   apps            BlobApps: state + reduce + view + effects, no I/O on the UI thread
//   commands        BlobCLI: every command, the one exit-status table
//   executables     blob-writer, blob-reader (thin), blob-bench, blob-ipc-demo, blob-ipc-child,
//                   blob-library-example
//   (Tests/ArchitectureTests checks this list, docs/architecture.md and its import table against the targets below.)
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
        .library(name: "BlobTransfer", targets: ["BlobTransfer"]),
        // libsharedblob.so: the engine behind sharedblob.h, for C, C++, Python (ctypes), C#.
        .library(name: "sharedblob", type: .dynamic, targets: ["SharedBlobC"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-system", exact: "1.8.1"),
        // `swift package generate-documentation`: the DocC catalogs of the library products.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", exact: "1.5.0"),
    ],
    targets: [
        // C libraries (Debian -dev packages) and our own C, one module each.
        .systemLibrary(name: "CXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"])]),
        .systemLibrary(name: "CNcurses", providers: [.apt(["libncurses-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg62-turbo-dev"])]),
        // The segment layout C programs compile against (blob_segment.h), static asserts included.
        .target(name: "CBlobSegment"),
        // The robust named mutex, one C implementation for Swift and the C child.
        .target(name: "CBlobMutex"),
        // Atomics and the shared futex on mapped memory: private to SharedMemory.
        .target(name: "CAtomics", dependencies: ["CXXHash", "CCrypto"]),
        // SHA-256 from libcrypto (libssl-dev's headers; the library loaded on first use).
        .target(name: "CCrypto"),
        // libsixel (libsixel-dev's header; the library loaded on first use): a well-kept sixel
        // encoder (palette, dithering) and decoder (tests).
        .target(name: "CSixel"),
        // Restores the terminal on a fatal signal (async-signal-safe, so it is C).
        .target(name: "CTerminalGuard"),
        // libpng (classic row API, every setjmp kept in C) and TurboJPEG.
        .target(name: "CImage", dependencies: ["CPNG", "CTurboJPEG", "CJPEG"]),

        // Standard library only: escaping untrusted text for terminals and JSON.
        .target(name: "SafeText"),
        // The process environment, read in one place (the start of one OS boundary).
        .target(name: "Platform", dependencies: [.product(name: "SystemPackage", package: "swift-system")]),
        // The one table of terminal colours (xterm's 256, the 16 basic ones), nearest index.
        .target(name: "TerminalColors"),
        // Standard library only: the ImageData frame.
        .target(name: "BlobCodec"),
        // SHA-256 (libcrypto) and XXH3-64 (libxxhash).
        .target(name: "Hashing", dependencies: ["CXXHash", "CCrypto"]),
        // Segments, header, seqlock publishing of tagged bytes, waiting, the named mutex.
        .target(name: "SharedMemory", dependencies: [
            "CBlobSegment", "CBlobMutex", "CAtomics", "Hashing", "SafeText", "Platform",
            .product(name: "SystemPackage", package: "swift-system"),
        ]),
        // Records declared as packed field lists, read and written in shared memory; C headers.
        .target(name: "SharedRecords", dependencies: ["SharedMemory"]),
        // The services: what travels (frames, records), files in and out, watching.
        .target(name: "BlobTransfer", dependencies: [
            "SharedMemory", "SharedRecords", "BlobCodec", "Hashing", "SafeText", "CBlobSegment", "Platform",
            .product(name: "SystemPackage", package: "swift-system"),
        ]),
        // The public C header (sharedblob.h) and the thread's error message.
        .target(name: "CSharedBlob"),
        // The C interface: @_cdecl functions over the engine, built as libsharedblob.so.
        .target(name: "SharedBlobC", dependencies: ["CSharedBlob", "SharedMemory", "BlobTransfer", "BlobCodec", "SafeText"]),
        // Decoding and the character preview: a cell grid, no terminal dependency.
        .target(name: "ImagePreview", dependencies: ["CImage", "TerminalColors"]),
        // Pixels in terminals: kitty, sixel (libsixel) and iTerm2 encoders, and asking the
        // terminal what it can show (its answers to DA1, kitty's query, XTVERSION, CSI 16 t).
        .target(name: "TerminalGraphics", dependencies: ["ImagePreview", "CSixel", "SafeText", "CTerminalGuard"]),
        // Screens, the Terminal protocol, ncurses and in-memory backends, the run loop, workers.
        .target(name: "TerminalUI", dependencies: ["CNcurses", "CTerminalGuard", "Platform", "TerminalColors"]),
        // The two terminal apps: state, reduce, view; effects run by TerminalUI's workers.
        .target(name: "BlobApps", dependencies: ["BlobTransfer", "TerminalUI", "ImagePreview", "TerminalGraphics", "SafeText",
                                                "TerminalColors"]),
        // Every command of both executables and the one error-to-exit-status function.
        .target(name: "BlobCLI", dependencies: [
            "BlobTransfer", "BlobApps", "ImagePreview", "TerminalUI", "TerminalGraphics", "SafeText", "Platform",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "SystemPackage", package: "swift-system"),
        ]),

        .executableTarget(name: "blob-writer", dependencies: ["BlobCLI"]),
        .executableTarget(name: "blob-reader", dependencies: ["BlobCLI"]),
        // The parent/child demo: a Swift parent and a C child (header generated from the Swift declaration).
        .executableTarget(name: "blob-ipc-demo", dependencies: [
            "SharedMemory", "SharedRecords", "BlobCLI", "blob-ipc-child",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "blob-ipc-child", dependencies: ["CBlobMutex"]),
        // docs/library.md's example, built and run by LibraryExampleTests.
        .executableTarget(name: "blob-library-example", dependencies: ["BlobTransfer", "SharedMemory"],
                          path: "Examples/LibraryExample"),
        .executableTarget(name: "blob-bench", dependencies: [
            "SharedMemory", "BlobTransfer", "Hashing", "CPNG", "CTurboJPEG", "BlobApps", "TerminalUI", "BlobCLI", "ImagePreview",
            "TerminalColors", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Test-only: spawning real processes, scratch segments and files, and the helper
        // processes tests start (stress writers, a mutex holder). Not a product.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .executableTarget(name: "blob-test-helper", dependencies: [
            "SharedMemory", "BlobTransfer", "BlobCodec", "TestSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Tests/Helper"),
        .testTarget(name: "BlobCodecTests", dependencies: ["BlobCodec", "TestSupport"]),
        .testTarget(name: "PlatformTests", dependencies: ["Platform", .product(name: "SystemPackage", package: "swift-system")]),
        .testTarget(name: "TerminalColorsTests", dependencies: ["TerminalColors"]),
        .testTarget(name: "HashingTests", dependencies: ["Hashing"]),
        .testTarget(name: "SharedRecordsTests", dependencies: ["SharedRecords", "SharedMemory", "TestSupport"]),
        .testTarget(name: "BlobTransferTests", dependencies: ["BlobTransfer", "SharedMemory", "TestSupport"]),
        .testTarget(name: "SharedBlobCTests", dependencies: ["SharedBlobC", "CSharedBlob", "TestSupport"]),
        .testTarget(name: "SafeTextTests", dependencies: ["SafeText"]),
        .testTarget(name: "SharedMemoryTests", dependencies: ["SharedMemory", "BlobCodec", "Hashing", "CAtomics", "TestSupport"]),
        .testTarget(name: "ImagePreviewTests", dependencies: ["ImagePreview", "CImage", "TestSupport", "CTurboJPEG", "blob-reader"]),
        .testTarget(name: "TerminalGraphicsTests", dependencies: ["TerminalGraphics", "ImagePreview", "CSixel", "TestSupport", "blob-reader"]),
        .testTarget(name: "TerminalUITests", dependencies: ["TerminalUI", "TerminalColors", "TestSupport"]),
        .testTarget(name: "BlobAppsTests", dependencies: ["BlobApps", "BlobTransfer", "SharedMemory", "TerminalUI", "TerminalColors",
                                                         "TestSupport"]),
        .testTarget(name: "BlobCLITests", dependencies: ["BlobCLI", "BlobTransfer", "ImagePreview", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "blob-writer", "blob-reader"]),
        // Reads the source tree: module boundaries, one OS boundary file per module.
        .testTarget(name: "ArchitectureTests", dependencies: ["TestSupport"]),
        .testTarget(name: "CLITests", dependencies: [
            "BlobCodec", "Hashing", "SharedMemory", "SharedRecords", "BlobTransfer", "TestSupport",
            "blob-writer", "blob-reader", "blob-bench", "blob-ipc-demo", "blob-ipc-child", "blob-test-helper", "blob-library-example",
        ]),
    ]
)
