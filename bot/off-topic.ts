import { SERVICE_REQUEST_EXAMPLES } from './off-topic-services.ts';

/**
 * Off-topic examples that ship with the product: questions a shop's or a service's support bot must not
 * answer from its knowledge base (weather, trivia, small talk, homework, health, entertainment, ...). Every
 * index learns them as one more class that no article gets the probability of (bot/kb.ts), so that a
 * knowledge base of a few articles is not "confident by construction": an off-topic question's probability
 * goes to this class instead of to the least unlikely article.
 *
 * Written for this project (not taken from any dataset). They avoid support topics (orders, delivery,
 * returns, payments, cards, accounts, passwords, prices): a KB about those must stay free to answer them. An
 * example that lies close to one of the KB's own example questions is dropped when the index is built (the
 * KB covers it, so it is not off-topic for that KB).
 *
 * Keyed by language (ISO 639-1); English is the set the bot's encoder understands. Other languages may add
 * their own list here.
 */
export const OFF_TOPIC_EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  en: [
    // weather and nature
    'What will the weather be like tomorrow?',
    'Is it going to rain this afternoon?',
    'How hot is it outside right now?',
    'Will it snow this weekend?',
    'When does the sun set today?',
    'What is the forecast for next week in Berlin?',
    'Why is the sky blue?',
    'How many moons does Jupiter have?',
    'What causes earthquakes?',
    'How far away is the moon?',
    'Is there a storm coming?',
    'What is the humidity today?',
    // trivia, science, history, geography
    'Who was the first person on the moon?',
    'What is the capital of Australia?',
    'How tall is Mount Everest?',
    'When did the Second World War end?',
    'Who painted the Mona Lisa?',
    'Who invented the telephone?',
    'What is the longest river in the world?',
    'How many bones are in the human body?',
    'What is the speed of light?',
    'How old is the universe?',
    'Which country has the largest population?',
    'What language do they speak in Brazil?',
    'Who wrote Romeo and Juliet?',
    'What is the boiling point of water at altitude?',
    'Tell me an interesting fact about octopuses',
    'What is the tallest building on earth?',
    'Why do cats purr?',
    'How long do elephants live?',
    'What is photosynthesis?',
    'Explain the theory of relativity in simple words',
    'What is the chemical symbol for gold?',
    'Who was the first emperor of Rome?',
    'Which planet is closest to the sun?',
    'How deep is the Pacific Ocean?',
    'What is the population of Finland?',
    'What is the smallest country in the world?',
    'How do airplanes stay in the air?',
    'What is a black hole?',
    // maths, homework, language
    'What is 17 times 23?',
    'What is the square root of 144?',
    'Solve this equation for x: 2x + 5 = 11',
    'Can you help me with my math homework?',
    'How do you spell necessary?',
    'What does the word ephemeral mean?',
    'Translate good morning into Japanese',
    'What is a synonym for happy?',
    'How do I say thank you in Italian?',
    'Write me an essay about climate change',
    'Can you proofread my cover letter?',
    'What rhymes with orange?',
    'Convert 30 degrees Celsius to Fahrenheit',
    'How many ounces are in a pound?',
    'How many kilometres is a marathon?',
    'What is the derivative of x squared?',
    // time, reminders, assistants
    'What time is it in Tokyo?',
    'Set an alarm for 7 am',
    'Remind me to call my mother tonight',
    'Start a timer for ten minutes',
    'What day of the week is Christmas this year?',
    'Add milk to my shopping list',
    'Turn on the lights in the living room',
    'Play some relaxing music',
    'Read me the news headlines',
    'What is on my calendar today?',
    'How many days until new year?',
    'Call a taxi for me',
    // food and cooking
    'How do I make pancakes?',
    'What is a good recipe for lasagna?',
    'How long should I boil an egg?',
    'How many calories are in an avocado?',
    'Is chocolate bad for dogs?',
    'What wine goes well with salmon?',
    'Can I freeze cooked rice?',
    'What is the best way to cook a steak?',
    'Give me a vegetarian dinner idea',
    'How do I bake sourdough bread?',
    'Where is the nearest pizza place?',
    'What should I eat for breakfast?',
    // health and body
    'How much water should I drink every day?',
    'What are the symptoms of the flu?',
    'How can I sleep better at night?',
    'Is coffee good for your health?',
    'How many hours of sleep does a teenager need?',
    'What is a healthy resting heart rate?',
    'How do I get rid of a headache?',
    'What exercises help with back pain?',
    'Is it safe to run every day?',
    'How do vaccines work?',
    // entertainment, sports, culture
    'Who won the football game last night?',
    'When is the next Olympic games?',
    'Recommend me a good movie to watch tonight',
    'What is the best book of all time?',
    'Who is the richest person in the world?',
    'What are the rules of chess?',
    'How many players are on a basketball team?',
    'Who sings the song Yellow Submarine?',
    'When does the new season of my favourite show start?',
    'What video games are popular right now?',
    'Suggest a board game for a family evening',
    'Who won the World Cup in 2014?',
    'How do you play poker?',
    'What is the plot of Hamlet?',
    'Which team has won the most championships?',
    // small talk and the assistant itself
    'Tell me a joke',
    'How are you today?',
    'What is your favourite colour?',
    'Do you like music?',
    'Are you married?',
    'What is the meaning of life?',
    'Can you sing a song for me?',
    'Flip a coin',
    'Roll a dice for me',
    'Pick a random number between one and ten',
    'Do you believe in ghosts?',
    'What do you think about love?',
    'I am bored, entertain me',
    'Tell me a bedtime story',
    'Who made you?',
    'What is your star sign?',
    'Do you dream?',
    'Let us play a game',
    'Say something funny',
    'Write a poem about the sea',
    // travel and everyday life (not about the shop)
    'What should I see in Paris?',
    'Do I need a visa to visit Japan?',
    'What is the best time of year to visit Iceland?',
    'How long is the flight from London to New York?',
    'Which beach is the most beautiful in Europe?',
    'How do I get to the airport by train?',
    'What plug adapter do I need in the UK?',
    'Is the museum open on Mondays?',
    'Find me a hotel near the city centre',
    'How do I change a flat tyre?',
    'How often should I water a cactus?',
    'How do I remove a red wine stain?',
    'How do I tie a tie?',
    'What is the best way to learn guitar?',
    'How do I train my puppy to sit?',
    'What flowers grow well in the shade?',
    'How do I unclog a drain?',
    'Which car is the most reliable?',
    'What should I name my cat?',
    'How do I meditate?',
    // technology and work, general
    'How do I write a for loop in Python?',
    'What is the difference between RAM and storage?',
    'Why is my computer so slow?',
    'How do I take a screenshot on a laptop?',
    'What is artificial intelligence?',
    'What programming language should I learn first?',
    'Explain how the internet works',
    'How do I write a good resume?',
    'What questions do they ask in a job interview?',
    'How can I be more productive at work?',
    'Should I buy a house or keep renting?',
    'What is the stock price of a tech company today?',
    'Who will win the next election?',
    'What do you think about the government?',
    'How do I become a pilot?',
    'How do I start a podcast?',
    'What is the best way to learn a new language?',
    'Is it going to be a busy traffic day on the motorway?',
    'How do I knit a scarf?',
    'What are some good hobbies to try?',
  ],
};

/** Which shipped sets: the general questions alone (the set before the service requests), or both. */
export type OffTopicSets = 'general' | 'all';

/**
 * The shipped off-topic examples for a knowledge base in these languages (English when none has any): the
 * general questions above and the requests to other services (off-topic-services.ts).
 */
export function offTopicExamples(languages: readonly string[] = ['en'], sets: OffTopicSets = 'all'): string[] {
  const lists = sets === 'all' ? [OFF_TOPIC_EXAMPLES, SERVICE_REQUEST_EXAMPLES] : [OFF_TOPIC_EXAMPLES];
  const out = new Set<string>();
  for (const list of lists) {
    const own = languages.flatMap((l) => list[l.slice(0, 2).toLowerCase()] ?? []);
    for (const q of own.length > 0 ? own : list.en!) out.add(q);
  }
  return [...out];
}
