import { createEmbedder } from '../../bot/embedders/index.ts';
import { KnowledgeBaseIndex } from '../../bot/kb.ts';
import { offTopicExamples } from '../../bot/off-topic.ts';
import { kbSeed } from '../../server/demo/kb.ts';
const emb = await createEmbedder({ kind: (process.argv[2] ?? 'hybrid') as 'hybrid' });
const idx = await KnowledgeBaseIndex.build(emb, kbSeed.map((a, i) => ({ ...a, id: String(i) })), { offTopic: offTopicExamples() });
console.log('calib', idx.calibration?.threshold, idx.calibration?.offTopicUsed, idx.calibration?.offTopicPruned, idx.questionCount);
for (const q of ['I would like to have my cash returned', 'How do I reset my password? I forgot it', 'Do you ship to Norway?', 'What is the weather in Paris tomorrow?', 'What is the airspeed velocity of an unladen swallow?', 'what is the interesting trivia about human bodies', 'Wie wird das Wetter morgen?', 'can i pay with paypal', 'my parcel is late', 'I need to cancel my order']) {
  const m = await idx.match(q);
  console.log(q, '|', kbSeed[+m.candidates[0]!.articleId]!.title, m.candidates[0]!.score.toFixed(3), m.similarity!.toFixed(3));
}
const c = idx.calibration!.outcomes;
const q = (xs: number[], p: number) => xs.sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))]!.toFixed(3);
const ins = c.filter((o) => o.inScope).map((o) => o.similarity), oos = c.filter((o) => !o.inScope).map((o) => o.similarity);
console.log('in sim p5/p50', q(ins, 0.05), q(ins, 0.5), 'oos sim p50/p95', q(oos, 0.5), q(oos, 0.95), ins.length, oos.length);
