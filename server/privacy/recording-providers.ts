import type { Readable } from 'node:stream';

/**
 * Where a call recording also lives at the provider (Twilio keeps its own copy). Retention and
 * erasure delete there too, through this interface; a channel registers its provider by name.
 */
export type RecordingProvider = {
  /**
   * Streams the audio of a recording kept at the provider only (agents play it through the server);
   * absent when the provider cannot serve audio. Throws when the provider cannot be reached.
   */
  openMedia?(providerSid: string): Promise<{ stream: Readable; contentType: string }>;
  /** Resolves 'deleted', or 'not_found' when the provider no longer has it (counts as deleted). Throws on failure. */
  deleteRecording(providerSid: string): Promise<'deleted' | 'not_found'>;
};

export type RecordingProviders = Map<string, RecordingProvider>;

export class ProviderUnavailable extends Error {
  constructor(provider: string) {
    super(`No deletion client is configured for recording provider "${provider}"`);
  }
}

export async function deleteAtProvider(providers: RecordingProviders, provider: string, sid: string) {
  const client = providers.get(provider);
  if (!client) throw new ProviderUnavailable(provider);
  return client.deleteRecording(sid);
}
