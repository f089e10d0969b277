import BlobCLI
runMain(BlobReaderCommand.self)
