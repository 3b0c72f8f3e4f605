/** The breach register's and the DPIA's API shapes, imported type-only from the server's TypeBox schemas. */
export type {
  AffectedPeople,
  BreachFields,
  BreachList,
  BreachPatch,
  BreachView,
  DpiaView,
  DpiaVersionList,
  FinderQuery,
} from '../../../server/http/views/breaches.ts';
