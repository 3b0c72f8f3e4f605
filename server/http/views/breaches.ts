import { Type, type Static } from 'typebox';
import { LanguageSchema } from './privacy-requests.ts';
import { InboxLocaleSchema } from '../views.ts';

/** The breach register's and the DPIA's API shapes (server/routes/breaches.ts); the inbox imports the types. */
const Uuid = Type.String({ format: 'uuid' });
const Iso = Type.String({ format: 'date-time' });
const NullableIso = Type.Union([Iso, Type.Null()]);
const Text = (max: number) => Type.String({ maxLength: max });
const NullableText = (max: number) => Type.Union([Type.String({ maxLength: max }), Type.Null()]);
const Count = Type.Union([Type.Integer({ minimum: 0, maximum: 1_000_000_000 }), Type.Null()]);
const Labels = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 30 });

/** What an admin records: the facts of Art. 33(3) and whether and when the authority and the people were told. */
const breachFacts = {
  title: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.String({ minLength: 1, maxLength: 5000, description: 'What happened' }),
  discoveredAt: Type.String({ format: 'date-time', description: 'When the breach became known: the 72 hours run' }),
  occurredFrom: NullableIso,
  occurredTo: NullableIso,
  dataCategories: Labels,
  subjectCategories: Labels,
  approxSubjects: Count,
  approxRecords: Count,
  consequences: Text(5000),
  measures: Text(5000),
  authorityNotifiedAt: NullableIso,
  authorityNote: NullableText(2000),
  peopleNotifiedAt: NullableIso,
  peopleNote: NullableText(2000),
};
export const BreachFields = Type.Object(breachFacts, { additionalProperties: false });
export type BreachFields = Static<typeof BreachFields>;
export const BreachPatch = Type.Partial(BreachFields, { additionalProperties: false, minProperties: 1 });
export type BreachPatch = Static<typeof BreachPatch>;

/** The 72 hours to the supervisory authority (Art. 33(1)), as of the server's clock. */
export const AuthorityClock = Type.Object({
  dueAt: Iso,
  /** Milliseconds left (negative once overdue); null once the authority was notified. */
  msLeft: Type.Union([Type.Integer(), Type.Null()]),
  overdue: Type.Boolean(),
  /** The server's time the figures were computed at, so a page can keep counting from it. */
  asOf: Iso,
});
export type AuthorityClock = Static<typeof AuthorityClock>;

export const BreachView = Type.Object({
  ...breachFacts,
  id: Uuid,
  recordedBy: Type.Union([Type.Object({ id: Uuid, name: Type.String() }), Type.Null()]),
  createdAt: Iso,
  updatedAt: Iso,
  authorityClock: AuthorityClock,
});
export type BreachView = Static<typeof BreachView>;
export const BreachList = Type.Object({ items: Type.Array(BreachView) });
export type BreachList = Static<typeof BreachList>;

/** Who may be affected: "everyone whose data was in inbox X between t1 and t2", or "everyone with a recording at t". */
export const FinderQuery = Type.Union([
  Type.Object(
    { kind: Type.Literal('inbox'), inboxId: Uuid, from: Iso, to: Iso },
    { additionalProperties: false, description: 'Everyone whose data was in the inbox between from and to' },
  ),
  Type.Object(
    { kind: Type.Literal('recordings'), at: Iso },
    { additionalProperties: false, description: 'Everyone with a call recording that existed at the time' },
  ),
]);
export type FinderQuery = Static<typeof FinderQuery>;

export const DraftNotice = Type.Object({
  contactId: Uuid,
  name: Type.Union([Type.String(), Type.Null()]),
  language: LanguageSchema,
  /** Where the notice can go: the contact's email or phone; null when neither is known. */
  email: Type.Union([Type.String(), Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()]),
  subject: Type.String(),
  text: Type.String(),
});
export type DraftNotice = Static<typeof DraftNotice>;

export const AffectedPeople = Type.Object({
  /** Everyone found: the people whose data is still here plus those erased since. */
  total: Type.Integer(),
  /** People whose data is still here: each has a draft notice. */
  reachable: Type.Integer(),
  /** People found by the audit log's erasure entries: their data was there then, it is gone now (no notice). */
  erasedSince: Type.Integer(),
  /** People without an email address or phone number on file. */
  withoutAddress: Type.Integer(),
  byLanguage: Type.Record(Type.String(), Type.Integer()),
  notices: Type.Array(DraftNotice),
});
export type AffectedPeople = Static<typeof AffectedPeople>;

export const DpiaSectionView = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 60, pattern: '^[a-z0-9-]+$' }),
  title: Type.String({ minLength: 1, maxLength: 200 }),
  body: Type.String({ maxLength: 20_000 }),
});
export const DpiaView = Type.Object({
  /** null: the generated draft, never saved yet. */
  version: Type.Union([Type.Integer(), Type.Null()]),
  savedAt: NullableIso,
  savedBy: Type.Union([Type.String(), Type.Null()]),
  note: Type.Union([Type.String(), Type.Null()]),
  /** The language the sections are written in: the generated draft's, kept with each saved version. */
  language: InboxLocaleSchema,
  sections: Type.Array(DpiaSectionView),
});
export type DpiaView = Static<typeof DpiaView>;
export const DpiaVersionList = Type.Object({
  items: Type.Array(
    Type.Object({
      version: Type.Integer(),
      savedAt: Iso,
      savedBy: Type.Union([Type.String(), Type.Null()]),
      note: Type.Union([Type.String(), Type.Null()]),
      language: InboxLocaleSchema,
    }),
  ),
});
export type DpiaVersionList = Static<typeof DpiaVersionList>;
export const DpiaSave = Type.Object(
  {
    sections: Type.Array(DpiaSectionView, { minItems: 1, maxItems: 40 }),
    note: Type.Optional(Type.String({ maxLength: 500 })),
    /** The language the sections are written in (the draft's); default: the saving admin's. */
    language: Type.Optional(InboxLocaleSchema),
  },
  { additionalProperties: false },
);
export type DpiaSave = Static<typeof DpiaSave>;
