// BEP-9 serve: accept peers for any infohash we hold metadata for (even with none of its data) and
// answer ut_metadata requests. The seed of the metadata-cache relay.
import type { AddressInfo } from 'node:net'
import type { ConnectionLimits } from '../connection.js'
import type { WireCounters } from '../counters.js'
import { PeerHost } from '../host.js'
import { createMetadataExtension } from './extension.js'
import type { MetadataLookup } from './store.js'

export interface MetadataServerOptions {
  lookup: MetadataLookup
  limits?: Partial<ConnectionLimits>
  maxConnections?: number
  maxConnectionsPerIp?: number
  counters?: WireCounters
  dhtPort?: number
}

export class MetadataServer {
  readonly host: PeerHost

  constructor(opts: MetadataServerOptions) {
    const lookup = opts.lookup
    this.host = new PeerHost({
      acceptInfoHash: (ih) => lookup.get(ih) !== undefined,
      metadataSize: (ih) => lookup.get(ih)?.length,
      ...(opts.limits !== undefined && { limits: opts.limits }),
      ...(opts.maxConnections !== undefined && { maxConnections: opts.maxConnections }),
      ...(opts.maxConnectionsPerIp !== undefined && { maxConnectionsPerIp: opts.maxConnectionsPerIp }),
      ...(opts.counters !== undefined && { counters: opts.counters }),
      ...(opts.dhtPort !== undefined && { dhtPort: opts.dhtPort }),
    })
    this.host.registry.register(createMetadataExtension({ lookup }))
  }

  listen(port = 0, host = '127.0.0.1'): Promise<AddressInfo> {
    return this.host.listen(port, host)
  }

  get counters(): WireCounters {
    return this.host.counters
  }

  close(): Promise<void> {
    return this.host.close()
  }
}
