import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { ChannelAdapter, InboundRequest } from '../types.ts';
import { InboundRejected } from '../types.ts';
import type { SlackEventCallback } from './payloads.ts';

export type ReceiverResponse = {
  status: number;
  body: Record<string, unknown>;
  /** For the log when processing failed: the error's class and database code, nothing from the payload. */
  failure?: { type: string; code?: string };
};

/**
 * Bolt's Receiver for requests that arrive through our own Fastify route (Bolt's HTTPReceiver would
 * run a second HTTP server). It verifies the signature on the raw body, answers url_verification,
 * and hands events to app.processEvent.
 *
 * When Slack gets its answer: Bolt calls ack() for Events API requests before any listener runs,
 * but this receiver only records that and answers after processEvent has finished, i.e. after the
 * listener has committed the message (Bolt's "processBeforeResponse"). That is milliseconds, well
 * inside Slack's 3 seconds; file downloads are left to a sweep so they never delay the answer. A
 * failure answers 500 and Slack retries (X-Slack-Retry-Num); an event whose id is already handled
 * is answered at once and stores nothing.
 */
export class SlackRequestReceiver implements Receiver {
  private app: App | undefined;

  constructor(private readonly adapter: ChannelAdapter<SlackEventCallback>) {}

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  async handle(request: InboundRequest): Promise<ReceiverResponse> {
    try {
      this.adapter.verify(request);
    } catch (err) {
      if (err instanceof InboundRejected)
        return { status: 401, body: { code: 'invalid_signature', message: 'The request is not signed by Slack' } };
      throw err;
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(request.rawBody) as Record<string, unknown>;
    } catch {
      return { status: 400, body: { code: 'bad_request', message: 'The body is not JSON' } };
    }
    if (body.type === 'url_verification' && typeof body.challenge === 'string')
      return { status: 200, body: { challenge: body.challenge } };
    if (!this.app) throw new Error('SlackRequestReceiver used before Bolt initialised it');
    const retryNum = Number(first(request.headers['x-slack-retry-num']));
    const event: ReceiverEvent = {
      body,
      ack: async () => {},
      ...(Number.isInteger(retryNum) ? { retryNum, retryReason: first(request.headers['x-slack-retry-reason']) } : {}),
    };
    try {
      await this.app.processEvent(event);
    } catch (err) {
      // Never the error's message: a failed query's message carries its parameters (the customer's text).
      const cause = (err as { cause?: { code?: unknown } }).cause;
      return {
        status: 500,
        body: { code: 'event_not_stored', message: 'The event could not be stored; Slack will retry it' },
        failure: {
          type: err instanceof Error ? err.name : typeof err,
          code: typeof cause?.code === 'string' ? cause.code : undefined,
        },
      };
    }
    return { status: 200, body: {} };
  }
}

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
