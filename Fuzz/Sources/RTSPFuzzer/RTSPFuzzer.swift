import FuzzEntryPoints
import FuzzerDriver

/// libFuzzer over `RTSPFuzzEntry` (Sources/FuzzEntryPoints): a finding it reports is a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    crash(onFindings: RTSPFuzzEntry.run(fuzzInput(data, size)).messages)
}

@_cdecl("RTSPFuzzer_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv, fuzz)
}
