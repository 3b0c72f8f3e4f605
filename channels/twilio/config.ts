/**
 * Server-wide Twilio settings from the environment. Per-number settings (phone number, and an account
 * of its own if it differs) live in the inbox row; see accounts.ts.
 */
export type TwilioConfig = {
  /** Default account for every sms/voice inbox that does not name its own. */
  accountSid: string | undefined;
  /** Never stored in the database unless an inbox names its own account; never returned by the API. */
  authToken: string | undefined;
  /** Base of Twilio's REST API. Only tests and regional proxies change it. */
  apiUrl: string;
  /** 'local': recordings are copied into the blob store and served from there; 'twilio': kept at Twilio only. */
  recordingStorage: 'local' | 'twilio';
  /** Longest voicemail a caller can leave, in seconds. */
  maxRecordingSeconds: number;
};

export class TwilioConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly reason: string,
  ) {
    super(`${variable} ${reason}`);
  }
}

type Env = Record<string, string | undefined>;

export function twilioConfigFromEnv(env: Env): TwilioConfig {
  const accountSid = env.TWILIO_ACCOUNT_SID || undefined;
  if (accountSid !== undefined && !/^AC[0-9a-f]{32}$/.test(accountSid)) {
    throw new TwilioConfigError('TWILIO_ACCOUNT_SID', 'must be "AC" followed by 32 hex digits');
  }
  const authToken = env.TWILIO_AUTH_TOKEN || undefined;
  if (authToken !== undefined && authToken.length < 16)
    throw new TwilioConfigError('TWILIO_AUTH_TOKEN', 'is too short to be a Twilio auth token');
  const apiUrl = (env.TWILIO_API_URL || 'https://api.twilio.com').replace(/\/$/, '');
  let parsed: URL;
  try {
    parsed = new URL(apiUrl);
  } catch {
    throw new TwilioConfigError('TWILIO_API_URL', 'is not a valid URL');
  }
  if (!['http:', 'https:'].includes(parsed.protocol))
    throw new TwilioConfigError('TWILIO_API_URL', 'must use http: or https:');
  const recordingStorage = (env.TWILIO_RECORDING_STORAGE || 'local') as TwilioConfig['recordingStorage'];
  if (recordingStorage !== 'local' && recordingStorage !== 'twilio') {
    throw new TwilioConfigError('TWILIO_RECORDING_STORAGE', `must be local or twilio, got "${recordingStorage}"`);
  }
  const rawMax = env.TWILIO_MAX_RECORDING_SECONDS || '120';
  const maxRecordingSeconds = Number(rawMax);
  if (!/^\d+$/.test(rawMax) || maxRecordingSeconds < 5 || maxRecordingSeconds > 3600) {
    throw new TwilioConfigError(
      'TWILIO_MAX_RECORDING_SECONDS',
      `must be an integer between 5 and 3600, got "${rawMax}"`,
    );
  }
  return { accountSid, authToken, apiUrl, recordingStorage, maxRecordingSeconds };
}
