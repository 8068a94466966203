# MediaBridge. The README's two commands: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := build

CONFIG ?= config/mediabridge.yaml
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian packages: C libraries the build links against...
APT_BUILD := pkg-config libssl-dev libsrtp2-dev libnss3-dev \
	libavformat-dev libavcodec-dev libavutil-dev libswresample-dev
# ...and the real peers and tools the tests start (grows with the integration tests).
APT_TEST := python3-venv chromium chromium-driver sip-tester kamailio baresip-core ffmpeg \
	python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-rtsp gstreamer1.0-plugins-base gstreamer1.0-plugins-good \
	gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav
APT_PACKAGES := $(APT_BUILD) $(APT_TEST)
# Python peers for interop tests, pinned, in a venv of the project's own.
PYTHON ?= python3
VENV := .venv
PIP_PACKAGES := aiortc==1.16.0 selenium==4.51.0

.PHONY: deps apt-deps build run test bench bench-fanout bench-calls fuzz clean check-swift

check-swift:
	@command -v $(SWIFT) >/dev/null || { echo "Swift 6.1 or later is needed (https://www.swift.org/install/linux/)"; exit 1; }

# Installs only what is missing; a quick no-op when everything is there.
deps: check-swift apt-deps $(VENV)/.installed

$(VENV)/.installed: Makefile
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check $(PIP_PACKAGES)
	touch $@

apt-deps:
	@missing=$$(for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing with apt-get:" $$missing; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	$(SWIFT) build

run: build
	.build/debug/mediabridge run --config $(CONFIG)

# The whole log is kept in .build/test.log; on failure its failing tests are repeated last, so that the tail
# of a CI log names them.
test: build
	@set -o pipefail; $(SWIFT) test --parallel 2>&1 | tee .build/test.log || { status=$$?; \
		echo "== failures (whole log: .build/test.log) =="; \
		grep -E 'recorded an issue|error:|Fatal error|unexpected signal' .build/test.log | cut -c1-400 | tail -40; \
		exit $$status; }

bench: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark --no-progress
	$(MAKE) bench-fanout
	$(MAKE) bench-calls

# Fan-out: the release gateway binary playing a generated 4 Mbit/s H.264 clip to FANOUT_VIEWERS in-process
# client sessions (Benchmarks/Fanout/FanoutSwarm); prints CPU, RSS, egress and loss per N. FANOUT_ARGS="--gateway-threads 1,2"
# measures each N once per gateway `webrtc.threads` value, for a one-loop baseline in the same run;
# FANOUT_ARGS="--baseline PATH" runs each row again with another gateway build and prints this/baseline ratios.
FANOUT_VIEWERS ?= 10,100,500
FANOUT_ARGS ?=
bench-fanout: deps
	$(SWIFT) build -c release --product mediabridge
	cd Benchmarks && $(SWIFT) build -c release --product FanoutSwarm
	Benchmarks/.build/release/FanoutSwarm --gateway .build/release/mediabridge --viewers $(FANOUT_VIEWERS) $(FANOUT_ARGS)

# Concurrent bridged calls: the release gateway binary with CALLS call routes, each called by an in-process SIP
# phone (PCMU) and answered by an in-process browser on its call page (Benchmarks/Fanout/CallSwarm), once with
# the browser answering PCMU (pass-through) and once Opus only (transcoding); prints CPU, RSS, packets and loss
# both ways per N.
CALLS ?= 10,50,100
CALL_MODES ?= passthrough,transcode
CALLS_ARGS ?=
bench-calls: deps
	$(SWIFT) build -c release --product mediabridge
	cd Benchmarks && $(SWIFT) build -c release --product CallSwarm
	Benchmarks/.build/release/CallSwarm --gateway .build/release/mediabridge --calls $(CALLS) --modes $(CALL_MODES) $(CALLS_ARGS)

# libFuzzer over the SDP parser and translators, seeded with the SDP fixtures, then over the RTP/RTCP
# packet layer (Tests/Fixtures/rtp/*.bin), STUN and ICE, the RTSP client's decoders (camera SDPs and a
# DESCRIBE), SIP messages (Tests/Fixtures/sip), and, seeded from Tests/Fixtures/fuzz/<name>/, the media
# depacketizers, telephony (RFC 4733, latch, leg RTCP), SIP sessions (transactions, user agent, INFO DTMF,
# Digest), the config loader and call page messages, and RFC 4571 framing; FUZZ_SECONDS each. Every fuzzer's
# body is in Sources/FuzzEntryPoints, which `swift test --filter FuzzEntryPointsTests` replays over the seeds.
# Crashers land in Fuzz/artifacts/; commit them to the fuzzer's seed folder as regression inputs.
FUZZ_SECONDS ?= 60
FUZZ_BUILD = cd Fuzz && $(SWIFT) build -c release -Xswiftc -sanitize=fuzzer,address --product
FUZZ_RUN = -max_total_time=$(FUZZ_SECONDS) -timeout=10
FUZZERS = SDP RTP STUN RTSP SIP Media Telephony SIPSession Config Framer
fuzz: deps
	for fuzzer in $(FUZZERS); do ($(FUZZ_BUILD) $${fuzzer}Fuzzer) || exit 1; done
	mkdir -p Fuzz/corpus/sdp Fuzz/corpus/rtp Fuzz/corpus/stun Fuzz/corpus/rtsp Fuzz/corpus/sip Fuzz/artifacts
	mkdir -p Fuzz/corpus/media Fuzz/corpus/telephony Fuzz/corpus/sip-session Fuzz/corpus/config Fuzz/corpus/framer
	cp -n Tests/Fixtures/sdp/*.sdp Fuzz/corpus/sdp/
	cp -n Tests/Fixtures/rtp/*.bin Fuzz/corpus/rtp/
	cp -n Tests/Fixtures/stun/*.bin Fuzz/corpus/stun/
	cp -n Tests/Fixtures/sdp/gst-rtsp-*.describe.txt Tests/Fixtures/sdp/camera-*.sdp Fuzz/corpus/rtsp/
	cp -n Tests/Fixtures/sip/*.sip Tests/Fixtures/fuzz/sip/* Fuzz/corpus/sip/
	cp -n Tests/Fixtures/fuzz/media/* Fuzz/corpus/media/
	cp -n Tests/Fixtures/fuzz/telephony/* Fuzz/corpus/telephony/
	cp -n Tests/Fixtures/fuzz/sip-session/* Fuzz/corpus/sip-session/
	cp -n Tests/Fixtures/fuzz/config/* Fuzz/corpus/config/
	cp -n Tests/Fixtures/fuzz/framer/* Fuzz/corpus/framer/
	Fuzz/.build/release/SDPFuzzer Fuzz/corpus/sdp $(FUZZ_RUN) -max_len=8192 -artifact_prefix=Fuzz/artifacts/sdp-
	Fuzz/.build/release/RTPFuzzer Fuzz/corpus/rtp $(FUZZ_RUN) -max_len=1500 -artifact_prefix=Fuzz/artifacts/rtp-
	Fuzz/.build/release/STUNFuzzer Fuzz/corpus/stun $(FUZZ_RUN) -max_len=600 -artifact_prefix=Fuzz/artifacts/stun-
	Fuzz/.build/release/RTSPFuzzer Fuzz/corpus/rtsp $(FUZZ_RUN) -max_len=16384 -artifact_prefix=Fuzz/artifacts/rtsp-
	Fuzz/.build/release/SIPFuzzer Fuzz/corpus/sip $(FUZZ_RUN) -max_len=8192 -artifact_prefix=Fuzz/artifacts/sip-
	Fuzz/.build/release/MediaFuzzer Fuzz/corpus/media $(FUZZ_RUN) -max_len=8192 -artifact_prefix=Fuzz/artifacts/media-
	Fuzz/.build/release/TelephonyFuzzer Fuzz/corpus/telephony $(FUZZ_RUN) -max_len=2048 \
		-artifact_prefix=Fuzz/artifacts/telephony-
	Fuzz/.build/release/SIPSessionFuzzer Fuzz/corpus/sip-session $(FUZZ_RUN) -max_len=16384 \
		-artifact_prefix=Fuzz/artifacts/sip-session-
	Fuzz/.build/release/ConfigFuzzer Fuzz/corpus/config $(FUZZ_RUN) -max_len=4096 -artifact_prefix=Fuzz/artifacts/config-
	Fuzz/.build/release/FramerFuzzer Fuzz/corpus/framer $(FUZZ_RUN) -max_len=4096 -artifact_prefix=Fuzz/artifacts/framer-

clean:
	rm -rf .build Benchmarks/.build Fuzz/.build $(VENV)
