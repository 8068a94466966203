import BridgeCore

extension RTSPClient {
    mutating func handle(_ response: RTSPResponse, now: MonotonicInstant) {
        guard let pending else { return }  // an answer to nothing we asked (or to a request we gave up on)
        if let cseq = response.cseq, cseq != pending.cseq { return }  // a late answer to an older request
        self.pending = nil
        if state == .stopped { return }  // the TEARDOWN answer carries nothing
        if state == .playing {
            // Keep-alive answers carry nothing, except a 401 from cameras that rotate their Digest nonce
            // (stale=TRUE): answer it once, or the session would lapse.
            if response.statusCode == 401 {
                authenticate(pending, challenges: response.headers.values("WWW-Authenticate"), now: now)
            }
            return
        }

        if response.statusCode == 401 {
            return authenticate(pending, challenges: response.headers.values("WWW-Authenticate"), now: now)
        }
        if (300..<400).contains(response.statusCode), let location = response.headers["Location"] {
            return redirect(to: location)
        }
        if response.statusCode == 461, pending.method == "SETUP", transportMode == .udp, configuration.fallBackToTCP,
           state == .setup(track: 0) {
            transportMode = .tcp
            emit(.switchedToTCP)
            return setUp(track: 0, now: now)
        }
        guard response.isSuccess else {
            if pending.method == "OPTIONS" {
                // Some cameras refuse OPTIONS yet serve DESCRIBE.
                return describe(now: now)
            }
            return fail(RTSPFailure("\(response.status) from camera", isTransient: response.statusCode != 415))
        }

        switch state {
        case .options:
            let methods = (response.headers["Public"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: " \t").uppercased() }
            supportsGetParameter = methods.contains("GET_PARAMETER")
            describe(now: now)
        case .describe:
            described(response, now: now)
        case .setup(let index):
            setUpDone(track: index, response, now: now)
        case .play:
            state = .playing
            keepAliveAt = now + sessionTimeout / 2
            emit(.playing(grantedTransports))
        default:
            return
        }
    }

    mutating func describe(now: MonotonicInstant) {
        state = .describe
        send("DESCRIBE", uri: url.requestURL, headers: [("Accept", "application/sdp")], now: now)
    }

    private mutating func authenticate(_ pending: Pending, challenges: [String], now: MonotonicInstant) {
        guard var authenticator else {
            let why = credentialsWithheld ? "the credentials are not sent on after a redirect to another host or scheme"
                : "the URL has no user name and password"
            return fail(RTSPFailure("401 Unauthorized from camera (\(why))", isTransient: false))
        }
        guard !pending.retriedAuthentication else {
            return fail(RTSPFailure("401 Unauthorized from camera", isTransient: false))
        }
        guard authenticator.accept(challenges: challenges) else {
            if authenticator.refusedDowngrade {
                return fail(RTSPFailure("401 Unauthorized from camera: it offered Digest before and now only Basic, which would send "
                                        + "the password in clear over rtsp://; refused", isTransient: false))
            }
            let schemes = challenges.map { String($0.prefix { $0 != " " }) }.joined(separator: ", ")
            return fail(RTSPFailure("401 Unauthorized from camera: unsupported authentication \(RTSPError.preview(schemes))",
                                    isTransient: false))
        }
        self.authenticator = authenticator
        let headers: [(String, String)] = switch pending.method {
        case "DESCRIBE": [("Accept", "application/sdp")]
        case "SETUP": currentSetupTransport.map { [("Transport", $0)] } ?? []
        case "PLAY": [("Range", "npt=0.000-")]
        default: []
        }
        send(pending.method, uri: pending.uri, headers: headers, now: now, retriedAuthentication: true)
    }

    private var currentSetupTransport: String? {
        guard case .setup(let index) = state, index < tracks.count else { return nil }
        switch transportMode {
        case .tcp:
            let channel = UInt8(truncatingIfNeeded: index * 2)
            return RTSPTransportHeader(isTCP: true, interleaved: (channel, channel &+ 1)).headerValue
        case .udp:
            return index < clientPorts.count ? RTSPTransportHeader(isTCP: false, clientPorts: clientPorts[index]).headerValue : nil
        }
    }

    private mutating func redirect(to location: String) {
        redirects += 1
        guard redirects <= configuration.maximumRedirects else {
            return fail(RTSPFailure("more than \(configuration.maximumRedirects) redirects from camera"))
        }
        let target: RTSPURL
        do {
            target = try RTSPURL(parsing: location)
        } catch {
            return fail(RTSPFailure("the camera redirected to an invalid URL: \(error)"))
        }
        // The credentials go on only to the same host over the same scheme, and only when the new URL brings
        // none: another host must not learn them, and rtsps to rtsp would put them on the wire in clear.
        let sameOrigin = target.host.lowercased() == url.host.lowercased() && target.isSecure == url.isSecure
        if target.username == nil, sameOrigin, let old = authenticator {
            authenticator = old.forNextConnection()
        } else {
            if target.username == nil, authenticator != nil { credentialsWithheld = true }
            authenticator = Self.authenticator(for: target)
        }
        url = target
        sessionID = nil
        decoder = RTSPStreamDecoder()
        state = .connecting
        emit(.connect(host: target.host, port: target.port, secure: target.isSecure))
    }

    private mutating func described(_ response: RTSPResponse, now: MonotonicInstant) {
        var base = url.requestURL
        if let contentBase = response.headers["Content-Base"] ?? response.headers["Content-Location"],
           contentBase.lowercased().hasPrefix("rtsp") {
            base = (try? RTSPURL(parsing: contentBase.trimmingCharacters(in: " \t")).requestURL) ?? base
        }
        do throws(RTSPFailure) {
            tracks = try RTSPTrackParser.tracks(fromSDP: response.body, base: base)
        } catch {
            return fail(error)
        }
        aggregateURL = base
        if let sessionControl = SessionControl.find(in: response.body) {
            aggregateURL = RTSPURL.resolve(control: sessionControl, base: base)
        }
        emit(.tracks(tracks))
        switch transportMode {
        case .tcp:
            setUp(track: 0, now: now)
        case .udp:
            state = .awaitingPorts
            emit(.needClientPorts(count: tracks.count))
        }
    }

    private mutating func setUpDone(track index: Int, _ response: RTSPResponse, now: MonotonicInstant) {
        if let session = response.headers["Session"] {
            let parts = session.split(separator: ";").map { $0.trimmingCharacters(in: " \t") }
            if let id = parts.first, !id.isEmpty, !RTSPRequest.isUnsafe(id) { sessionID = id }
            for part in parts.dropFirst() where part.lowercased().hasPrefix("timeout=") {
                if let seconds = Int(part.dropFirst("timeout=".count)), seconds >= 2, seconds <= 3600 {
                    sessionTimeout = .seconds(seconds)
                }
            }
        }
        guard sessionID != nil else {
            return fail(RTSPFailure("the camera's SETUP answer has no Session header"))
        }
        var granted = response.headers["Transport"].map(RTSPTransportHeader.init(parsing:))
            ?? RTSPTransportHeader(isTCP: transportMode == .tcp)
        switch transportMode {
        case .tcp:
            if granted.interleaved == nil {
                let channel = UInt8(truncatingIfNeeded: index * 2)
                granted.interleaved = (channel, channel &+ 1)
            }
            if let interleaved = granted.interleaved {
                channels[interleaved.rtp] = (index, false)
                channels[interleaved.rtcp] = (index, true)
            }
        case .udp:
            if granted.isTCP {
                return fail(RTSPFailure("the camera answered a UDP SETUP with TCP"))
            }
        }
        grantedTransports.append(granted)
        if index + 1 < tracks.count {
            setUp(track: index + 1, now: now)
        } else {
            state = .play
            send("PLAY", uri: aggregateURL, headers: [("Range", "npt=0.000-")], now: now)
        }
    }
}

/// The session-level `a=control` of a DESCRIBE body (the media-level ones are read with the tracks).
enum SessionControl {
    static func find(in body: [UInt8]) -> String? {
        let text = String(decoding: body, as: UTF8.self)
        for line in text.split(whereSeparator: \.isNewline) {
            if line.hasPrefix("m=") { return nil }
            if line.hasPrefix("a=control:") { return String(line.dropFirst("a=control:".count)) }
        }
        return nil
    }
}
