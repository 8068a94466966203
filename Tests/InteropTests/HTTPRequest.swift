import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP exchange with the gateway under test.
struct HTTPReply {
    var status: Int
    var headers: [String: String]
    var body: String

    func header(_ name: String) -> String? {
        headers.first { $0.key.lowercased() == name.lowercased() }?.value
    }
}

enum HTTPRequest {
    static func send(_ method: String, _ url: String, headers: [String: String] = [:], body: String? = nil) async throws -> HTTPReply {
        guard let target = URL(string: url) else { throw PeerProcess.MissingTool(description: "bad URL \(url)") }
        var request = URLRequest(url: target, timeoutInterval: 20)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = body.map { Data($0.utf8) }
        let (data, response) = try await URLSession.shared.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw PeerProcess.MissingTool(description: "not HTTP") }
        var fields: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let key = key as? String, let value = value as? String { fields[key] = value }
        }
        return HTTPReply(status: http.statusCode, headers: fields, body: String(decoding: data, as: UTF8.self))
    }

    /// A GET that blocks its thread (the interop suites run on threads of their own, `.ownThread`): for paced
    /// polls that must not wait for a cooperative thread between samples.
    static func blockingGet(_ url: String, timeout: TimeInterval = 10) throws -> String {
        guard let target = URL(string: url) else { throw PeerProcess.MissingTool(description: "bad URL \(url)") }
        final class Box: @unchecked Sendable { var body: Data?; var error: (any Error)? }
        let box = Box(), done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: URLRequest(url: target, timeoutInterval: timeout)) { data, _, error in
            (box.body, box.error) = (data, error)
            done.signal()
        }.resume()
        guard done.wait(timeout: .now() + timeout + 1) == .success else { throw PeerProcess.MissingTool(description: "no answer from \(url)") }
        if let error = box.error { throw error }
        return String(decoding: box.body ?? Data(), as: UTF8.self)
    }

    static func fixture(_ name: String) throws -> String {
        try String(contentsOfFile: PeerProcess.repositoryRoot + "/Tests/Fixtures/sdp/" + name, encoding: .utf8)
    }
}
