import { LexicalEmbedder } from '../../bot/embedders/lexical.ts';
import { KnowledgeBaseIndex } from '../../bot/kb.ts';
import { offTopicExamples } from '../../bot/off-topic.ts';
import { kbSeed } from '../../server/demo/kb.ts';
const idx = await KnowledgeBaseIndex.build(new LexicalEmbedder(), kbSeed.map((a, i) => ({ ...a, id: String(i) })), { offTopic: offTopicExamples() });
console.log('threshold', idx.calibration?.threshold);
for (const q of ['my parcel is late', 'I need to cancel my order', 'can i pay with paypal', 'Do you ship to Norway?', 'What is the weather in Paris tomorrow?', 'is my password safe with you', 'shipping to the moon?', 'the item I got is damaged', 'How do I reset my password? I forgot it', 'the parcel arrived broken']) {
  const m = await idx.match(q);
  console.log(q, '|', kbSeed[+m.candidates[0]!.articleId]!.title, m.candidates[0]!.score.toFixed(3), m.similarity!.toFixed(3));
}
