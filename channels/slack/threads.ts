/**
 * Which conversation a Slack message belongs to. In a channel every top-level message opens its own
 * thread, and the thread is the conversation; a direct message is one running conversation, like a
 * chat (an agent's reply goes into the DM itself, not into a thread there). The key carries the
 * workspace so two workspaces' channel ids can never meet.
 */
export type SlackThread = { team: string; channel: string; threadTs?: string };

export function threadKeyOf(thread: SlackThread): string {
  return thread.threadTs ? `${thread.team}:${thread.channel}:${thread.threadTs}` : `${thread.team}:${thread.channel}`;
}

export function parseThreadKey(key: string): SlackThread {
  const [team, channel, threadTs, extra] = key.split(':');
  if (!team || !channel || extra !== undefined) throw new Error('not a Slack thread key');
  return threadTs ? { team, channel, threadTs } : { team, channel };
}
