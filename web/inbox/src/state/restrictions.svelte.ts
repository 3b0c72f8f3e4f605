import { describeError, type ApiClient } from '../api.ts';
import type { RestrictionPurpose, RestrictionView } from '../privacy-types.ts';
import type { Toasts } from './toasts.svelte.ts';
import { tp } from '../lib/privacy-i18n.ts';

export const RESTRICTION_REASON_MIN = 3;
export const RESTRICTION_REASON_MAX = 500;

/** What each purpose leaves the contact out of, in the words the contact panel uses. */
// A Record over the server's union, so a new purpose fails the typecheck here until it has a label.
const PURPOSES: Record<RestrictionPurpose, true> = {
  analytics: true,
  bot: true,
  optional_messages: true,
  processors: true,
};
/** Each purpose's label in the inbox's language (a getter, so a component re-renders on a language switch). */
export const purposeLabels = {} as Record<RestrictionPurpose, string>;
for (const purpose of Object.keys(PURPOSES))
  Object.defineProperty(purposeLabels, purpose, { enumerable: true, get: () => tp(`restriction.purpose.${purpose}`) });

export type RestrictionInput = {
  kind: RestrictionView['kind'];
  purposes: RestrictionPurpose[];
  reason: string;
};

/**
 * Restriction (Art. 18) and objection (Art. 21), admins only: the contact's data is kept but left out of the
 * bot, the dashboards and optional sendings (a restriction), or of the purposes objected to.
 */
export class Restrictions {
  placing = $state(false);
  placeError = $state<string | null>(null);
  /** Restriction ids with a lift in flight. */
  lifting = $state<Record<string, boolean>>({});
  liftError = $state<string | null>(null);

  readonly #api: ApiClient;
  readonly #toasts: Toasts;
  readonly #changed: (restriction: RestrictionView) => void;

  constructor(api: ApiClient, toasts: Toasts, changed: (restriction: RestrictionView) => void) {
    this.#api = api;
    this.#toasts = toasts;
    this.#changed = changed;
  }

  async place(contactId: string, input: RestrictionInput): Promise<boolean> {
    if (this.placing) return false;
    this.placing = true;
    this.placeError = null;
    try {
      const { restriction } = await this.#api.post<{ restriction: RestrictionView }>(
        `/api/privacy/contacts/${encodeURIComponent(contactId)}/restrictions`,
        { ...input, reason: input.reason.trim() },
      );
      this.#changed(restriction);
      this.#toasts.success(
        restriction.kind === 'restriction' ? tp('state.restrictions.restricted') : tp('state.restrictions.objected'),
      );
      return true;
    } catch (err) {
      this.placeError = describeError(err, tp('state.restrictions.placeFailed'));
      return false;
    } finally {
      this.placing = false;
    }
  }

  async lift(restriction: RestrictionView, reason: string): Promise<boolean> {
    if (this.lifting[restriction.id]) return false;
    this.lifting[restriction.id] = true;
    this.liftError = null;
    try {
      const { restriction: lifted } = await this.#api.post<{ restriction: RestrictionView }>(
        `/api/privacy/restrictions/${encodeURIComponent(restriction.id)}/lift`,
        { reason: reason.trim() },
      );
      this.#changed(lifted);
      this.#toasts.success(
        restriction.kind === 'restriction'
          ? tp('state.restrictions.restrictionLifted')
          : tp('state.restrictions.objectionLifted'),
      );
      return true;
    } catch (err) {
      this.liftError = describeError(err, tp('state.restrictions.liftFailed'));
      return false;
    } finally {
      this.lifting[restriction.id] = false;
    }
  }
}
