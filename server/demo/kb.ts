/** A few hand-written knowledge-base articles for the demo shop. */
export const kbSeed = [
  {
    title: 'Shipping times and countries',
    body:
      'We ship to all EU/EEA countries, Norway, Switzerland and the UK. ' +
      'Standard delivery takes 2–4 business days in Germany and 3–7 business days elsewhere. ' +
      'Express delivery (1–2 days) is available at checkout.',
    language: 'en',
    questions: ['How long does shipping take?', 'Do you ship to Norway?', 'Which countries do you deliver to?'],
  },
  {
    title: 'Returns and refunds',
    body:
      'You can return unused items within 30 days of delivery for a full refund. ' +
      'Start a return from your order page to print a free return label. ' +
      'Refunds reach your account 3–5 business days after the parcel arrives at our warehouse.',
    language: 'en',
    questions: ['How do I return an item?', 'Can I get a refund?', 'Where is my return label?'],
  },
  {
    title: 'Damaged or faulty items',
    body:
      'If something arrives damaged, reply with your order number and a photo. ' +
      'We send a replacement or refund at once; you do not need to send the damaged item back.',
    language: 'en',
    questions: ['My order arrived damaged', 'The product is broken', 'Item is faulty'],
  },
  {
    title: 'Resetting your password',
    body:
      'Click "Forgot password" on the sign-in page and enter your email address. ' +
      'The link we send is valid for 60 minutes. If no email arrives, check your spam folder.',
    language: 'en',
    questions: ['I forgot my password', 'How do I reset my password?', 'Cannot log in'],
  },
];
