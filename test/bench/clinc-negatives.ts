/** Off-topic test queries for a banking KB, shared by bench:bot and bench:botfinetune. */
import type { Example, readClincJson } from '../../bot/eval/datasets.ts';

/** CLINC150 intents of the banking and credit-card domains (and money-adjacent ones): not off-topic for a bank. */
const CLINC_FINANCE = new Set(
  (
    'transfer transactions balance freeze_account pay_bill bill_balance bill_due interest_rate routing min_payment ' +
    'order_checks pin_change report_fraud account_blocked spending_history credit_score report_lost_card ' +
    'credit_limit rewards_balance new_card application_status card_declined international_fees apr ' +
    'redeem_rewards credit_limit_change damaged_card replacement_card_duration improve_credit_score ' +
    'expiration_date exchange_rate direct_deposit payday income taxes insurance insurance_change ' +
    'rollover_401k w2 pto_balance pto_request'
  ).split(' '),
);

export function clincNegatives(clinc: ReturnType<typeof readClincJson>): Example[] {
  return [...clinc.oos_val, ...clinc.val.filter((e) => !CLINC_FINANCE.has(e.label))].map((e) => ({
    text: e.text,
    label: 'oos',
  }));
}
