// SwiftPM links an executable with `main` pointing at `<module>_main`, so each fuzzer defines that symbol
// (`@_cdecl("SDPFuzzer_main")`) and hands its arguments and test function to libFuzzer's driver here.

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32
) -> Int32

/// Runs libFuzzer with the process arguments and `testOneInput` as `LLVMFuzzerTestOneInput`.
public func runLibFuzzer(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                         _ testOneInput: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32) -> Int32 {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, testOneInput)
}

/// libFuzzer's input as the array the entries take.
public func fuzzInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
    Array(UnsafeBufferPointer(start: data, count: size))
}

/// A broken invariant an entry reported becomes the crash libFuzzer saves the input for.
public func crash(onFindings messages: [String]) -> Int32 {
    if let first = messages.first { fatalError(first) }
    return 0
}
