import twilio from 'twilio';
import type { Outbound } from '../../server/channel-port.ts';

type RequestClient = InstanceType<typeof twilio.RequestClient>;
type RequestOptions = Parameters<RequestClient['request']>[0];
export type TwilioClient = ReturnType<typeof twilio>;

const TWILIO_ORIGIN = /^https:\/\/[a-z0-9.-]+\.twilio\.com/;

/**
 * The SDK's own RequestClient (axios, auth, retries on 429), with the API's origin swapped for
 * TWILIO_API_URL when it is set: tests point the real SDK at a local server speaking Twilio's API,
 * and a regional proxy could do the same. With the default URL nothing is rewritten. Its connections go
 * through the outbound guard's agents (server/http/outbound.ts) and its answers are size-limited.
 */
class RebasedRequestClient extends twilio.RequestClient {
  constructor(
    private readonly apiUrl: string,
    outbound: Outbound,
  ) {
    super({ timeout: 15_000 });
    this.axios.defaults.httpsAgent = outbound.agents.https;
    this.axios.defaults.httpAgent = outbound.agents.http;
    this.axios.defaults.maxContentLength = outbound.apiMaxBytes;
    // Never an environment proxy the guard would not see (axios reads HTTP(S)_PROXY by itself otherwise).
    this.axios.defaults.proxy = false;
  }

  override request<TData>(opts: RequestOptions & { data?: TData }) {
    const uri = this.apiUrl === 'https://api.twilio.com' ? opts.uri : opts.uri.replace(TWILIO_ORIGIN, this.apiUrl);
    return super.request<TData>({ ...opts, uri });
  }
}

const clients = new WeakMap<Outbound, Map<string, TwilioClient>>();

/** One SDK client per (outbound guard, account, token, API base), reused across requests. */
export function twilioClient(outbound: Outbound, accountSid: string, authToken: string, apiUrl: string): TwilioClient {
  let byKey = clients.get(outbound);
  if (!byKey) clients.set(outbound, (byKey = new Map()));
  const key = `${accountSid}\n${authToken}\n${apiUrl}`;
  let client = byKey.get(key);
  if (!client) {
    client = twilio(accountSid, authToken, { httpClient: new RebasedRequestClient(apiUrl, outbound) });
    byKey.set(key, client);
  }
  return client;
}

/** Twilio's REST errors carry a numeric code; the message can echo phone numbers, so it is never kept. */
export function describeTwilioError(err: unknown): {
  status: number | undefined;
  code: number | undefined;
  text: string;
} {
  const e = err as { status?: number; code?: number | string; name?: string };
  const status = typeof e?.status === 'number' ? e.status : undefined;
  const code = typeof e?.code === 'number' ? e.code : undefined;
  if (status === undefined) {
    // Network failures (ECONNREFUSED, timeouts): the code names the failure, nothing personal.
    const net = typeof e?.code === 'string' ? e.code : (e?.name ?? 'Error');
    return { status, code, text: `Twilio unreachable (${net})` };
  }
  return { status, code, text: `Twilio error${code ? ` ${code}` : ''} (HTTP ${status})` };
}
