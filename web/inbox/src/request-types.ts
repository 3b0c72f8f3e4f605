/** The request desk's API shapes, imported type-only from the server's TypeBox schemas. */
export type {
  ContactAuditView,
  OutcomeView,
  PrivacyRequestView,
  RequestFigures,
  RequestList,
} from '../../../server/http/views/privacy-requests.ts';
