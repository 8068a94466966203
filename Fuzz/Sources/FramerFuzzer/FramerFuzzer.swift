import FuzzEntryPoints
import FuzzerDriver

/// libFuzzer over `FramerFuzzEntry` (Sources/FuzzEntryPoints): a finding it reports is a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    crash(onFindings: FramerFuzzEntry.run(fuzzInput(data, size)).messages)
}

@_cdecl("FramerFuzzer_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv, fuzz)
}
