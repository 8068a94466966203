#!/usr/bin/env python3
"""Writes the seeds for the FuzzEntryPoints targets (see SOURCES.md) from the fixtures next door."""
import base64, os, struct

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.dirname(HERE)

def fixture(*path):
    with open(os.path.join(FIX, *path), 'rb') as f:
        return f.read()

def write(folder, name, data):
    os.makedirs(os.path.join(HERE, folder), exist_ok=True)
    with open(os.path.join(HERE, folder, name), 'wb') as f:
        f.write(data)

def rtp(seq, ts, payload, marker=False, pt=96, ssrc=0x1234ABCD):
    return struct.pack('>BBHII', 0x80, (0x80 if marker else 0) | pt, seq, ts, ssrc) + payload

def packets(*items):
    return b''.join(struct.pack('>H', len(p)) + p for p in items)

# media: selector byte, then RTP packets behind 2-byte lengths.
sps, pps = (base64.b64decode(s) for s in "Z0LAHtkAoC/5cBagwMDUoAAAAwAgAAAGUeLFyQ==,aMuMsg==".split(','))  # camera-hikvision.sdp
stap = bytes([24]) + struct.pack('>H', len(sps)) + sps + struct.pack('>H', len(pps)) + pps
idr = bytes([0x65]) + bytes(range(40))
fu_start = bytes([0x7C, 0x80 | 5]) + idr[1:21]
fu_end = bytes([0x7C, 0x40 | 5]) + idr[21:]
write('media', 'h264-stapa-fua.bin', b'\x00' + packets(rtp(1, 3000, stap), rtp(2, 3000, fu_start), rtp(3, 3000, fu_end, True),
                                                      rtp(4, 6000, bytes([0x41]) + bytes(12), True)))
write('media', 'h264-padding-fixture.bin', b'\x00' + packets(fixture('rtp', 'rtp-h264-padding.bin')))
vps = bytes([0x40, 0x01, 0x0C, 0x01, 0xFF, 0xFF, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x5D, 0xAC, 0x09])
hsps = bytes([0x42, 0x01, 0x01, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x5D, 0xA0, 0x02, 0x80, 0x80, 0x2D, 0x16])
hpps = bytes([0x44, 0x01, 0xC1, 0x72, 0xB4, 0x62, 0x40])
ap = bytes([48 << 1, 1]) + b''.join(struct.pack('>H', len(n)) + n for n in (vps, hsps, hpps))
hidr = bytes([19 << 1, 1]) + bytes(range(30))
hfu1 = bytes([49 << 1, 1, 0x80 | 19]) + hidr[2:16]
hfu2 = bytes([49 << 1, 1, 0x40 | 19]) + hidr[16:]
write('media', 'h265-ap-fu.bin', b'\x01' + packets(rtp(10, 0, ap), rtp(11, 0, hfu1), rtp(12, 0, hfu2, True)))
au1, au2 = bytes(range(1, 25)), bytes(range(100, 110))
headers = struct.pack('>HH', len(au1) << 3, len(au2) << 3)
write('media', 'aac-hbr-two-aus.bin', b'\x02' + packets(rtp(20, 1024, struct.pack('>H', 32) + headers + au1 + au2, True, pt=97),
                                                        rtp(21, 3072, struct.pack('>H', 16) + struct.pack('>H', 200 << 3) + bytes(50), False, pt=97),
                                                        rtp(22, 3072, bytes(150), True, pt=97)))
write('media', 'latm-one-frame.bin', b'\x03\x00' + packets(rtp(30, 0, bytes([0xFF, 0x05]) + bytes(i % 256 for i in range(260)), True, pt=98),
                                                           rtp(31, 1024, bytes([3, 1, 2, 3]), True, pt=98)))
write('media', 'reorder-swapped.bin', b'\x04\x04' + packets(rtp(101, 0, bytes([0x65, 1]), True), rtp(103, 3000, bytes([0x41, 2]), True),
                                                            rtp(102, 1500, bytes([0x41, 3]), True), rtp(102, 1500, bytes([0x41, 3]), True),
                                                            rtp(120, 9000, bytes([0x41, 4]), True)))
write('media', 'sps-hikvision.bin', b'\x05' + sps)
write('media', 'annexb-sps-pps.bin', b'\x05' + b'\x00\x00\x00\x01' + sps + b'\x00\x00\x01' + pps)

# telephony: code, duration ms (u16), clock rate - 1 (u32), latch, reporter, RTCP and events.
def telephony(code, ms, clock, latch_steps, arrivals, rest):
    out = bytes([code]) + struct.pack('>HI', ms, clock - 1)
    out += bytes([0x02, 50, len(latch_steps)]) + b''.join(latch_steps)
    out += struct.pack('>I', clock - 1) + bytes([len(arrivals)]) + b''.join(struct.pack('>HH', s, t) for s, t in arrivals)
    return out + rest

steps = [bytes([0x00, 1]) + struct.pack('>H', 20)] * 3 + [bytes([0x10, 1, 0, 20]), bytes([0x18, 2, 0, 100])]
write('telephony', 'digit-5-8k.bin', telephony(5, 160, 8000, steps, [(1, 0), (2, 1), (4, 3)], fixture('rtp', 'rtcp-sr-block.bin')))
write('telephony', 'digit-hash-48k-long.bin', telephony(11, 1500, 48000, [], [(65535, 0), (0, 1)], fixture('rtp', 'rtcp-rr-bye.bin')))
write('telephony', 'digit-low-clock.bin', telephony(1, 10000, 10, steps[:1], [], bytes([5, 0x8A, 0x03, 0x20, 16, 0x0A, 0, 0xA0])))

# sip-session: messages between %% lines.
invite = fixture('sip', 'baresip-invite.sip')
def sip(text):
    head, _, body = text.partition('\n\n')
    head = head.replace('\n', '\r\n')
    body = body.replace('\n', '\r\n')
    return (head + '\r\nContent-Length: %d\r\n\r\n' % len(body.encode()) + body).encode()

common = ('Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK{b}\nFrom: <sip:alice@192.0.2.10>;tag=a1\n'
          'To: <sip:gw@192.0.2.1>{to}\nCall-ID: fuzz-1@192.0.2.10\nCSeq: {n} {m}\nMax-Forwards: 70\n'
          'Contact: <sip:alice@192.0.2.10:5060>')
def request(method, n, branch, to='', extra='', body=''):
    return sip('%s sip:gw@192.0.2.1 SIP/2.0\n' % method + common.format(b=branch, to=to, n=n, m=method)
               + (('\n' + extra) if extra else '') + '\n\n' + body)
sep = b'\r\n%%\r\n'
info = request('INFO', 2, 'info1', ';tag=gw', 'Content-Type: application/dtmf-relay', 'Signal=5\nDuration=160\n')
write('sip-session', 'invite-ack-info-bye.txt', sep.join([invite, request('ACK', 1, 'ack1', ';tag=gw'), info,
                                                          request('BYE', 3, 'bye1', ';tag=gw')]))
write('sip-session', 'invite-cancel.txt', sep.join([invite, invite, request('CANCEL', 1, 'cancel1')]))
auth = ('Authorization: Digest username="alice", realm="mediabridge", nonce="5f.1.00ff", uri="sip:gw@192.0.2.1", '
        'response="6629fae49393a05397450978507c4ef1", algorithm=MD5, qop=auth, nc=00000001, cnonce="0a4f113b"')
write('sip-session', 'register-digest.txt', sep.join([request('REGISTER', 1, 'reg1', extra=auth),
                                                      request('OPTIONS', 2, 'opt1', extra='Proxy-Authorization: Digest username="bob", realm="x"')]))
write('sip-session', 'info-dtmf.txt', sep.join([request('INFO', 5, 'info2', ';tag=x', 'Content-Type: application/dtmf', '#'),
                                               sip('SIP/2.0 401 Unauthorized\n' + common.format(b='reg1', to=';tag=r', n=1, m='REGISTER')
                                                   + '\nWWW-Authenticate: Digest realm="pbx", nonce="abc", qop="auth", algorithm=SHA-256\n\n')]))

# config: selector byte, then text.
write('config', 'yaml-camera.bin', b'\x00' + fixture('config', 'camera.yaml'))
write('config', 'yaml-call-route.bin', b'\x00' + b'''sip:
  port: 5060
call_routes:
  - name: front-door
    dial: "sip:{number}@pbx.example.com"
    allow: ["10.0.0.0/8", "::1"]
    from: "sip:*@pbx.example.com"
''')
write('config', 'dial-template.bin', b'\x01sip:{number}@pbx.example.com;transport=tcp\n+1 (555) 123-4567#')
write('config', 'cidr.bin', b'\x0210.0.0.0/8\n10.1.2.3\n::ffff:10.9.9.9\n192.168.1.1')
write('config', 'cidr-v6.bin', b'\x022001:db8::/33\n2001:db8:8000::1\n::1')
write('config', 'uri-pattern.bin', b'\x03sips:*@*.example.com\nsips:100@pbx.example.com\nsip:100@pbx.example.com')
write('config', 'call-message-dial.bin', b'\x04{"type":"dial","target":"100","sdp":"v=0\\r\\n","status":200}')
write('config', 'call-message-auth.bin', b'\x04{"type":"auth","token":"s3cret","route":"front-door"}')

# framer: piece count, piece sizes, then the RFC 4571 stream.
def framed(*items):
    return b''.join(struct.pack('>H', len(p)) + p for p in items)
stun = fixture('stun', 'rfc5769-request.bin')
write('framer', 'stun-rtp-whole.bin', b'\x00' + framed(stun, fixture('rtp', 'rtp-opus-one-byte-extension.bin')))
write('framer', 'pieces-1-2-7.bin', bytes([3, 1, 2, 7]) + framed(fixture('rtp', 'rtcp-sr-sdes.bin'), b'', stun) + b'\x00\x10\x01')
write('framer', 'zero-length-and-partial.bin', bytes([1, 5]) + b'\x00\x00\x00\x00' + framed(b'\x17\xfe\xfd') + b'\xff\xff\x00')
