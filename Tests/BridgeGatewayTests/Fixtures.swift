import Foundation

enum Fixtures {
    /// The package root, found from this file's path (Tests/BridgeGatewayTests/Fixtures.swift).
    static let repositoryRoot: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }()

    static func path(_ relative: String) -> String {
        repositoryRoot + "/Tests/Fixtures/" + relative
    }
}
