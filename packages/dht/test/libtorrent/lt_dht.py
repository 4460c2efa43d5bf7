"""libtorrent's DHT as an interop peer for @bbmesh/dht. Run only inside a loopback-only namespace.

Reads one JSON command per line on stdin, answers one JSON line on stdout:
  {"cmd": "port"}                              -> {"port": P, "id": HEX}
  {"cmd": "add_node", "host": H, "port": P}    -> {"ok": true}
  {"cmd": "announce", "ih": HEX}               -> {"ok": true, "port": P}  (adds a trackerless torrent)
  {"cmd": "get_peers", "ih": HEX}              -> {"peers": ["h:p", ...]}
  {"cmd": "put_immutable", "v": STR}           -> {"target": HEX, "stored": N}
  {"cmd": "get_immutable", "target": HEX}      -> {"v": STR | null}
  {"cmd": "put_mutable", "seed": HEX, "pk": HEX, "salt": STR, "v": STR} -> {"stored": N, "seq": N}
  {"cmd": "sample", "host": H, "port": P, "target": HEX} -> {"num": N, "interval": S, "samples": [HEX]}
  {"cmd": "get_mutable", "k": HEX, "salt": STR} -> {"v": STR | null, "seq": N}
"""
import hashlib
import json
import tempfile
import sys
import time

import libtorrent as lt


def wait_for(ses, kind, match=lambda a: True, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        ses.wait_for_alert(200)
        for a in ses.pop_alerts():
            if type(a).__name__ == kind and match(a):
                return a
    return None


def plain(item):
    # Item alerts carry the bencoded value as an entry; strings come back as bytes.
    if isinstance(item, dict) and 'value' in item:
        item = item['value']
    return item.decode() if isinstance(item, bytes) else item


def main():
    ses = lt.session({
        'listen_interfaces': '127.0.0.1:0',
        'enable_dht': True,
        'enable_lsd': False,
        'enable_upnp': False,
        'enable_natpmp': False,
        'dht_bootstrap_nodes': '',
        'alert_mask': lt.alert.category_t.all_categories,
        # All categories on a busy loopback DHT (the mesh tests) overflow the default queue of 1000.
        'alert_queue_size': 100000,
        # Everything is on 127.0.0.1 here; the defaults allow one DHT node per IP.
        'dht_restrict_routing_ips': False,
        'dht_restrict_search_ips': False,
        # ...and every query comes from 127.0.0.1, which libtorrent would block past 5 a second.
        'dht_block_ratelimit': 1000000,
    })
    deadline = time.time() + 10
    while not ses.listen_port() and time.time() < deadline:
        time.sleep(0.05)
    for line in sys.stdin:
        c = json.loads(line)
        cmd = c['cmd']
        if cmd == 'port':
            out = {'port': ses.listen_port()}
        elif cmd == 'add_node':
            ses.add_dht_node((c['host'], c['port']))
            out = {'ok': True}
        elif cmd == 'announce':
            # session.dht_announce's flags type is not exposed to Python; a torrent with no
            # trackers makes libtorrent announce its listen port on the DHT by itself.
            atp = lt.add_torrent_params()
            atp.info_hashes = lt.info_hash_t(lt.sha1_hash(bytes.fromhex(c['ih'])))
            atp.save_path = tempfile.mkdtemp()
            ses.add_torrent(atp)
            out = {'ok': True, 'port': ses.listen_port()}
        elif cmd == 'get_peers':
            ses.dht_get_peers(lt.sha1_hash(bytes.fromhex(c['ih'])))
            a = wait_for(ses, 'dht_get_peers_reply_alert')
            out = {'peers': [f'{p[0]}:{p[1]}' for p in a.peers()] if a else []}
        elif cmd == 'put_immutable':
            target = ses.dht_put_immutable_item(c['v'].encode())
            a = wait_for(ses, 'dht_put_alert')
            out = {'target': str(target), 'stored': a.num_success if a else -1}
        elif cmd == 'get_immutable':
            ses.dht_get_immutable_item(lt.sha1_hash(bytes.fromhex(c['target'])))
            a = wait_for(ses, 'dht_immutable_item_alert')
            out = {'v': plain(a.item) if a else None}
        elif cmd == 'put_mutable':
            # libtorrent wants the ref10 "expanded" secret key: SHA-512 of the seed, clamped.
            h = bytearray(hashlib.sha512(bytes.fromhex(c['seed'])).digest())
            h[0] &= 248
            h[31] &= 63
            h[31] |= 64
            ses.dht_put_mutable_item(bytes(h), bytes.fromhex(c['pk']), c['v'].encode(), c['salt'].encode())
            a = wait_for(ses, 'dht_put_alert')
            out = {'stored': a.num_success if a else -1, 'seq': a.seq if a else None}
        elif cmd == 'sample':
            ses.dht_sample_infohashes((c['host'], c['port']), lt.sha1_hash(bytes.fromhex(c['target'])))
            a = wait_for(ses, 'dht_sample_infohashes_alert')
            out = {'num': a.num_infohashes, 'interval': a.interval.total_seconds() if hasattr(a.interval, 'total_seconds') else a.interval,
                   'samples': [str(x) for x in a.samples]} if a else {'error': 'no reply'}
        elif cmd == 'get_mutable':
            ses.dht_get_mutable_item(bytes.fromhex(c['k']), c['salt'].encode())
            a = wait_for(ses, 'dht_mutable_item_alert', lambda a: a.authoritative, 15)
            out = {'v': plain(a.item) if a else None, 'seq': a.seq if a else None}
        else:
            out = {'error': 'unknown command'}
        print(json.dumps(out, default=str), flush=True)


main()
