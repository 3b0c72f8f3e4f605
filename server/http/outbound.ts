import dns, { type LookupAddress } from 'node:dns';
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import net, { type LookupFunction } from 'node:net';
import { pipeline, Transform, type Duplex, type Readable } from 'node:stream';
import ipaddr from 'ipaddr.js';

/**
 * The one way the server makes HTTP requests to hosts it does not run (Slack, Twilio, anything a payload
 * names): every connection, including each redirect hop and every SDK request, goes through agents whose
 * connections resolve the host, refuse addresses that are not public (loopback, private, link-local,
 * unique-local, multicast, unspecified, CGNAT, IPv4-mapped/embedded IPv6 of those...) and connect to the
 * address that was checked, so a second DNS answer cannot swap it (DNS rebinding). OUTBOUND_ALLOW_HOSTS names
 * the exceptions (an egress proxy, the local fakes tests run). Responses are size-limited and timed out.
 */

/** A refused destination; the message names the rule, never the URL (it can carry personal data). */
export class OutboundRefused extends Error {
  override name = 'OutboundRefused';
  readonly code = 'EOUTBOUNDREFUSED';
}

/** A response larger than the caller's limit. */
export class OutboundTooLarge extends Error {
  override name = 'OutboundTooLarge';
  readonly code = 'EOUTBOUNDTOOLARGE';
}

/**
 * True for an address on the public internet (ipaddr.js's "unicast" range, after unwrapping IPv4-mapped IPv6);
 * false for every special-purpose range and for anything that is not an address. Accepts the forms
 * getaddrinfo accepts too (2130706433, 0x7f.1, 0177.0.0.1).
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

/** One OUTBOUND_ALLOW_HOSTS entry: a host name or address (optionally with a port), or a CIDR range. */
export type AllowEntry =
  | { kind: 'name'; name: string; port?: number }
  | { kind: 'address'; address: string; port?: number }
  | { kind: 'range'; range: [ipaddr.IPv4 | ipaddr.IPv6, number] };

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/;

const normalized = (address: string) => ipaddr.process(address).toNormalizedString();

function port(raw: string, entry: string): number {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) throw new Error(`has a bad port in "${entry}"`);
  return Number(raw);
}

/**
 * Parses OUTBOUND_ALLOW_HOSTS: comma-separated `host`, `host:port`, `203.0.113.7`, `[::1]:8080`, `10.0.0.0/8`.
 * Throws an Error whose message completes "OUTBOUND_ALLOW_HOSTS ...".
 */
export function parseAllowHosts(raw: string | undefined): AllowEntry[] {
  const entries: AllowEntry[] = [];
  for (const item of (raw ?? '').split(',').map((s) => s.trim().toLowerCase())) {
    if (!item) continue;
    if (item.includes('/')) {
      try {
        entries.push({ kind: 'range', range: ipaddr.parseCIDR(item) });
      } catch {
        throw new Error(`has a bad address range "${item}"`);
      }
      continue;
    }
    const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(item);
    if (bracketed) {
      if (!ipaddr.IPv6.isValid(bracketed[1]!)) throw new Error(`has a bad IPv6 address in "${item}"`);
      const p = bracketed[2] === undefined ? {} : { port: port(bracketed[2], item) };
      entries.push({ kind: 'address', address: normalized(bracketed[1]!), ...p });
      continue;
    }
    if (ipaddr.IPv6.isValid(item)) {
      entries.push({ kind: 'address', address: normalized(item) });
      continue;
    }
    const [host, portText, extra] = item.split(':');
    if (extra !== undefined || !host) throw new Error(`has a bad entry "${item}"`);
    const p = portText === undefined ? {} : { port: port(portText, item) };
    if (ipaddr.IPv4.isValidFourPartDecimal(host)) entries.push({ kind: 'address', address: normalized(host), ...p });
    else if (HOST_NAME.test(host)) entries.push({ kind: 'name', name: host.replace(/\.$/, ''), ...p });
    else throw new Error(`has a bad host name "${item}"`);
  }
  return entries;
}

export type OutboundOptions = {
  /** Destinations allowed although their address is not public (OUTBOUND_ALLOW_HOSTS). */
  allowHosts?: AllowEntry[];
  /** Resolves host names (dns.lookup by default); tests answer with chosen addresses. */
  lookup?: (hostname: string) => Promise<LookupAddress[]>;
};

export type OutboundRequest = {
  method?: 'GET' | 'DELETE' | 'POST';
  headers?: Record<string, string>;
  /** A request body (POST), sent as it is; the caller sets its content-type. */
  body?: string;
  /** The response body is cut off with OutboundTooLarge beyond this many bytes. */
  maxBytes: number;
  /** The whole exchange, body included; 60 s by default. */
  timeoutMs?: number;
  /** Redirects followed, each hop checked again; none by default. */
  maxRedirects?: number;
  /**
   * Whether a redirect may lead to this URL (on top of the address check); by default only to the first URL's
   * origin. Credentials (authorization, cookie) are sent to the first URL's origin only, whatever this allows.
   */
  redirectAllowed?: (url: URL) => boolean;
};

export type OutboundResponse = {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body, limited to maxBytes (it errors with OutboundTooLarge beyond). */
  body: Readable;
};

export type Outbound = {
  /** One HTTP exchange with a public host (or an allowed one); redirects are answered per OutboundRequest. */
  request(url: string, options: OutboundRequest): Promise<OutboundResponse>;
  /** Node agents for SDKs that make their own requests (axios in @slack/web-api and twilio). */
  agents: { http: http.Agent; https: https.Agent };
  /** The agent for a URL's protocol (an SDK configured with one base URL). */
  agentFor(url: string): http.Agent;
  /** The response size SDK clients are held to (API answers, not files). */
  apiMaxBytes: number;
};

const DEFAULT_TIMEOUT_MS = 60_000;
const IDLE_TIMEOUT_MS = 30_000;
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

const defaultLookup = (hostname: string) => dns.promises.lookup(hostname, { all: true, verbatim: true });

export function createOutbound(options: OutboundOptions = {}): Outbound {
  const allow = options.allowHosts ?? [];
  const resolve = options.lookup ?? defaultLookup;

  const allowed = (hostname: string, port: number, address: string) => {
    const ip = ipaddr.process(address);
    return allow.some((entry) => {
      if (entry.kind === 'range') return ip.kind() === entry.range[0].kind() && ip.match(entry.range);
      if (entry.port !== undefined && entry.port !== port) return false;
      if (entry.kind === 'name') return entry.name === hostname.toLowerCase().replace(/\.$/, '');
      return entry.address === ip.toNormalizedString();
    });
  };

  /** Throws unless the address is public or allowed for this host and port. */
  const check = (hostname: string, port: number, address: string) => {
    if (!ipaddr.isValid(address)) throw new OutboundRefused('The destination did not resolve to an IP address');
    if (!isPublicAddress(address) && !allowed(hostname, port, address))
      throw new OutboundRefused(
        `Refused a connection to a ${ipaddr.process(address).range()} address (not in OUTBOUND_ALLOW_HOSTS)`,
      );
  };

  /** Resolves the host and checks every address it has: one bad answer refuses the host. */
  const checkedAddresses = async (hostname: string, port: number): Promise<LookupAddress[]> => {
    const addresses = await resolve(hostname);
    if (addresses.length === 0) throw new OutboundRefused('The destination has no address');
    for (const a of addresses) check(hostname, port, a.address);
    return addresses;
  };

  /** A net/tls `lookup` that answers only checked addresses: the socket connects to what was checked. */
  const lookupFor =
    (port: number): LookupFunction =>
    (hostname, lookupOptions, callback) => {
      checkedAddresses(hostname, port).then(
        (addresses) => {
          const family =
            lookupOptions.family === 'IPv4' ? 4 : lookupOptions.family === 'IPv6' ? 6 : lookupOptions.family;
          const fitting = family ? addresses.filter((a) => a.family === family) : addresses;
          if (fitting.length === 0) return callback(new OutboundRefused('No address of the requested family'), '', 0);
          if (lookupOptions.all) return (callback as (e: null, a: LookupAddress[]) => void)(null, fitting);
          callback(null, fitting[0]!.address, fitting[0]!.family);
        },
        (err: Error) => callback(err as NodeJS.ErrnoException, '', 0),
      );
    };

  function guard<A extends http.Agent>(agent: A, defaultPort: number): A {
    const create = agent.createConnection.bind(agent);
    agent.createConnection = (connectOptions, callback) => {
      const host = String(connectOptions.host ?? connectOptions.hostname ?? 'localhost').replace(/^\[(.*)\]$/, '$1');
      const port = Number(connectOptions.port) || defaultPort;
      if (net.isIP(host)) {
        // An address literal is never looked up: check it here.
        try {
          check(host, port, host);
        } catch (err) {
          process.nextTick(() => callback?.(err as Error, undefined as unknown as Duplex));
          return undefined;
        }
        return create(connectOptions, callback);
      }
      return create({ ...connectOptions, lookup: lookupFor(port) }, callback);
    };
    return agent;
  }

  const agentOptions = { keepAlive: true, timeout: IDLE_TIMEOUT_MS };
  const agents = {
    http: guard(new http.Agent(agentOptions), 80),
    https: guard(new https.Agent(agentOptions), 443),
  };

  function once(url: URL, method: string, headers: Record<string, string>, signal: AbortSignal, body?: string) {
    return new Promise<http.IncomingMessage>((resolveResponse, reject) => {
      const client = url.protocol === 'https:' ? https : http;
      const req = client.request(url, {
        method,
        headers,
        agent: url.protocol === 'https:' ? agents.https : agents.http,
        signal,
      });
      req.setTimeout(IDLE_TIMEOUT_MS, () => req.destroy(new Error('The destination did not answer in time')));
      req.once('response', resolveResponse);
      req.once('error', reject);
      req.end(body);
    });
  }

  async function request(target: string, opts: OutboundRequest): Promise<OutboundResponse> {
    const signal = AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const first = new URL(target);
    const redirectAllowed = opts.redirectAllowed ?? ((u: URL) => u.origin === first.origin);
    let url = first;
    for (let hop = 0; ; hop++) {
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new OutboundRefused('Only http(s) URLs');
      if (url.username || url.password) throw new OutboundRefused('URLs with credentials are refused');
      const headers = Object.fromEntries(
        Object.entries(opts.headers ?? {}).filter(
          ([name]) => url.origin === first.origin || !CREDENTIAL_HEADERS.has(name.toLowerCase()),
        ),
      );
      const res = await once(url, opts.method ?? 'GET', headers, signal, opts.body);
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && location !== undefined) {
        res.resume();
        if (hop >= (opts.maxRedirects ?? 0)) throw new OutboundRefused(`Too many redirects (HTTP ${status})`);
        const next = new URL(location, url);
        if (!redirectAllowed(next)) throw new OutboundRefused(`Refused a redirect to another host (HTTP ${status})`);
        url = next;
        continue;
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > opts.maxBytes) {
        res.destroy();
        throw new OutboundTooLarge(`The response is larger than ${opts.maxBytes} bytes`);
      }
      // pipeline: a failed or cut-off source (timeout, reset) fails the body the caller reads.
      return { status, headers: res.headers, body: pipeline(res, limitBytes(opts.maxBytes), () => {}) };
    }
  }

  return {
    request,
    agents,
    agentFor: (url) => (new URL(url).protocol === 'https:' ? agents.https : agents.http),
    apiMaxBytes: 10 * 1024 * 1024,
  };
}

/** Passes bytes through up to `max`, then fails (which stops the source) with OutboundTooLarge. */
function limitBytes(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > max) return done(new OutboundTooLarge(`The response is larger than ${max} bytes`));
      done(null, chunk);
    },
  });
}
