import type { webApi } from '@slack/bolt';

/** Why a direct message outside any conversation was not sent; a reason only, never the member or the text. */
export class CustomerDmNotSent extends Error {
  constructor(readonly reason: string) {
    super(`customer Slack message not sent: ${reason}`);
  }
}

export type CustomerDm = {
  /**
   * The member id of the Slack account with this email address in the app's workspace (users.lookupByEmail, needs
   * the users:read.email scope), or null when there is none or Slack does not say.
   */
  memberByEmail(email: string): Promise<string | null>;
  /** Sends one direct message (a one-time code) from the app to the member; throws CustomerDmNotSent. */
  send(memberId: string, text: string): Promise<void>;
};

const slackError = (err: unknown) => (err as { data?: { error?: string } }).data?.error ?? 'slack_error';

/**
 * Direct messages that belong to no conversation (the code of the public request page, issue 21): the app opens
 * its direct-message channel with the member (conversations.open, the im:write scope) and posts the text there
 * (chat.postMessage), through the same Web API client, bot token and outbound guard as replies. The app's own post
 * comes back as an event with its bot id, which the channel ignores: it never becomes a conversation.
 */
export function createCustomerDm(client: webApi.WebClient): CustomerDm {
  return {
    async memberByEmail(email) {
      try {
        const { user } = await client.users.lookupByEmail({ email });
        return user && !user.deleted && !user.is_bot && user.id ? user.id : null;
      } catch {
        // users_not_found, missing_scope, or Slack unreachable: the same for the caller, there is no one to send to.
        return null;
      }
    },
    async send(memberId, text) {
      try {
        const opened = await client.conversations.open({ users: memberId });
        const channel = opened.channel?.id;
        if (!channel) throw new CustomerDmNotSent('no_channel');
        await client.chat.postMessage({ channel, text, unfurl_links: false, unfurl_media: false });
      } catch (err) {
        if (err instanceof CustomerDmNotSent) throw err;
        throw new CustomerDmNotSent(slackError(err));
      }
    },
  };
}
