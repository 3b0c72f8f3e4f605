import { createEmbedder } from '../../bot/embedders/index.ts';
import { KnowledgeBaseIndex } from '../../bot/kb.ts';
const articles = [
  { id: 'refund', title: 'Getting a refund', questions: ['How do I get my money back?', 'I want a refund for my order', 'Can I return an item and get refunded?', 'When will my refund arrive?', 'Wie bekomme ich mein Geld zurück?', 'Ich möchte eine Rückerstattung'] },
  { id: 'shipping', title: 'Where is my parcel?', questions: ['Where is my order?', 'Track my package', 'My parcel has not arrived yet', 'How long does delivery take?', 'Wo ist mein Paket?', 'Wann kommt meine Lieferung?'] },
  { id: 'password', title: 'Resetting your password', questions: ['I forgot my password', 'How do I reset my password?', 'Cannot log in to my account', 'Change my login password', 'Ich habe mein Passwort vergessen', 'Passwort zurücksetzen'] },
  { id: 'hours', title: 'Opening hours', questions: ['When are you open?', 'What are your opening hours?', 'Are you open on Sunday?', 'Öffnungszeiten', 'Wann haben Sie geöffnet?'] },
];
const emb = await createEmbedder({ kind: 'hybrid' });
const { offTopicExamples } = await import('../../bot/off-topic.ts');
const idx = await KnowledgeBaseIndex.build(emb, articles, { offTopic: offTopicExamples() });
console.log('threshold', idx.calibration?.threshold, idx.calibration?.outcomes.length);
for (const q of ['I would like to have my cash returned', 'what time do you close today?', 'What is the weather tomorrow?', 'Tell me a joke']) {
  const m = await idx.match(q);
  console.log(q, '|', m.candidates[0]!.articleId, m.candidates[0]!.score.toFixed(3), m.similarity!.toFixed(3));
}
