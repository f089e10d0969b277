import BlobCLI
runMain(BlobWriterCommand.self)
