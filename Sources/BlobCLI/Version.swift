import SharedMemory

/// The package version (defined in SharedMemory, where the C library reads it too).
public typealias SharedBlobVersion = SharedMemory.SharedBlobVersion
