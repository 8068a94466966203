/// Why the fan-out benchmark stopped, in words.
struct FanoutError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
