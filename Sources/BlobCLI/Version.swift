import BlobTransfer

/// The package version (defined in BlobTransfer, where the C library reads it too).
public typealias SharedBlobVersion = BlobTransfer.SharedBlobVersion
