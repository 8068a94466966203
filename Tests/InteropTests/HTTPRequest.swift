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

    static func fixture(_ name: String) throws -> String {
        try String(contentsOfFile: PeerProcess.repositoryRoot + "/Tests/Fixtures/sdp/" + name, encoding: .utf8)
    }
}
