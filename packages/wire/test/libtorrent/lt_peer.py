"""libtorrent as an interop peer for @bbmesh/wire. Run only inside a loopback-only network namespace.

  lt_peer.py seed TORRENT       -> prints {"port": P}, serves metadata until killed
  lt_peer.py fetch URI HOST:PORT -> prints {"ok": true, "name": ..., "info_hash_v1": ..., "info_hash_v2": ...}
"""
import json
import sys
import tempfile
import time

import libtorrent as lt


def session():
    return lt.session({
        'listen_interfaces': '127.0.0.1:0',
        'enable_dht': False,
        'enable_lsd': False,
        'enable_upnp': False,
        'enable_natpmp': False,
        'dht_bootstrap_nodes': '',
        'alert_mask': lt.alert.category_t.all_categories,
        'allow_multiple_connections_per_ip': True,
        'user_agent': 'libtorrent-interop',
        # @bbmesh/wire does not speak MSE/PE; with the default policy libtorrent tries an encrypted
        # handshake first (we close it as a bad handshake) and retries in plaintext seconds later.
        'out_enc_policy': int(lt.enc_policy.pe_disabled),
        # We are TCP only; libtorrent would otherwise try uTP first and wait 3 s for it to fail.
        'enable_outgoing_utp': False,
        'enable_incoming_utp': False,
    })


def seed(path):
    ses = session()
    ti = lt.torrent_info(path)
    save = tempfile.mkdtemp()
    h = ses.add_torrent({'ti': ti, 'save_path': save})
    # Incoming peers are refused while the torrent is still checking its (absent) files.
    deadline = time.time() + 10
    while time.time() < deadline and h.status().state in (lt.torrent_status.checking_files, lt.torrent_status.checking_resume_data):
        time.sleep(0.05)
    # libtorrent still drops incoming peers for a moment after the torrent reports "downloading".
    time.sleep(1)
    print(json.dumps({'port': ses.listen_port(), 'state': str(h.status().state)}), flush=True)
    while True:
        for a in ses.pop_alerts():
            if a.what() == 'peer_disconnected':
                sys.stderr.write('lt: %s\n' % a.message())
        time.sleep(0.05)


def fetch(uri, peer):
    ses = session()
    params = lt.parse_magnet_uri(uri)
    params.save_path = tempfile.mkdtemp()
    params.flags |= lt.torrent_flags.upload_mode
    # Not queued behind libtorrent's auto-manager (which would delay the start by seconds).
    params.flags &= ~lt.torrent_flags.auto_managed & ~lt.torrent_flags.paused
    h = ses.add_torrent(params)
    host, port = peer.rsplit(':', 1)
    deadline = time.time() + 20
    connected = False
    while time.time() < deadline:
        if not connected:
            try:
                h.connect_peer((host, int(port)))
                connected = True
            except RuntimeError:
                pass
        s = h.status()
        if s.has_metadata:
            ti = h.torrent_file()
            ih = ti.info_hashes()
            print(json.dumps({
                'ok': True,
                'name': ti.name(),
                'info_hash_v1': str(ih.v1) if ih.has_v1() else None,
                'info_hash_v2': str(ih.v2) if ih.has_v2() else None,
            }), flush=True)
            return
        ses.pop_alerts()
        time.sleep(0.05)
    print(json.dumps({'ok': False, 'error': 'no metadata in 20 s'}), flush=True)


if __name__ == '__main__':
    if sys.argv[1] == 'seed':
        seed(sys.argv[2])
    else:
        fetch(sys.argv[2], sys.argv[3])
