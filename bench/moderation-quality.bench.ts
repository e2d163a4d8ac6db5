/**
 * How well the profanity screen judges what chatters really type, side by side with the npm filters: evasions caught
 * (every form of `support/evasion-forms.ts` applied to every word of a public rude-word list), innocent English words
 * refused (words that contain a rude string but are not rude) and ordinary sentences refused; then the app's clean-line
 * throughput against obscenity's. How the sets are built is in bench/README.md.
 * Run on demand: `npm run bench -- moderation-quality`.
 */
import { profanity as toadProfanity } from '@2toad/profanity';
import englishWords from 'an-array-of-english-words' with { type: 'json' };
import { Filter as BadWordsFilter } from 'bad-words';
import { Filter as GlinFilter } from 'glin-profanity';
import leoProfanity from 'leo-profanity';
import { englishDataset, englishRecommendedTransformers, RegExpMatcher } from 'obscenity';
import { sentence, setRandom } from 'txtgen';
import { createModerator, initialModerationState, moderationPolicySchema } from '../src/moderation/index.js';
import { CARRIERS, EVASION_FORMS } from './support/evasion-forms.js';
import { innocentWords, rudeWords } from './support/moderation-sets.js';

/** Deterministic generator, so every run judges the same sets. */
function seededRandom(seed: number): () => number {
  let value = seed;
  return () => {
    value = (Math.imul(value, 1_103_515_245) + 12_345) >>> 0;
    return value / 2 ** 32;
  };
}

const random = seededRandom(22);
const pick = (options: number) => Math.floor(random() * options);
const evasions = rudeWords.flatMap((word) =>
  EVASION_FORMS.map((form, n) => ({
    form: form.name,
    word,
    text: CARRIERS[n % CARRIERS.length]?.(form.apply(word, pick)) ?? '',
  })),
);
const innocent = innocentWords(englishWords);
setRandom(seededRandom(2026));
const sentences = Array.from({ length: 5_000 }, () => sentence());

const moderator = createModerator(moderationPolicySchema.parse({}));
/** The Latin-script languages of naughty-words besides English: what they add to English refusals. */
const EUROPEAN = 'en,de,es,fr,it,nl,pt,sv,da,no,fi,pl,cs,hu,tr';
const multilingual = createModerator(moderationPolicySchema.parse({ languages: EUROPEAN }));
const fresh = initialModerationState();
const obscenity = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
const badWords = new BadWordsFilter();
const glin = new GlinFilter({ languages: ['english'], detectLeetspeak: true, normalizeUnicode: true });

const screens: { name: string; refuses: (text: string) => boolean }[] = [
  { name: 'this app (default policy)', refuses: (text) => !moderator.moderate(text, fresh, 0).verdict.allowed },
  {
    name: `this app, MODERATION_LANGUAGES=${EUROPEAN}`,
    refuses: (text) => !multilingual.moderate(text, fresh, 0).verdict.allowed,
  },
  { name: 'obscenity (English preset)', refuses: (text) => obscenity.hasMatch(text) },
  { name: 'bad-words', refuses: (text) => badWords.isProfane(text) },
  { name: 'leo-profanity', refuses: (text) => leoProfanity.check(text) },
  { name: '@2toad/profanity', refuses: (text) => toadProfanity.exists(text) },
  { name: 'glin-profanity (leetspeak, Unicode)', refuses: (text) => glin.isProfane(text) },
];

const percent = (part: number, whole: number) => `${((100 * part) / whole).toFixed(2)} %`;
console.log('## Moderation quality (`bench/moderation-quality.bench.ts`)\n');
console.log(
  `${rudeWords.length} rude words × ${EVASION_FORMS.length} forms = ${evasions.length} evasions; ` +
    `${innocent.length} innocent words of ${englishWords.length} English words; ${sentences.length} sentences (txtgen). ` +
    `Node ${process.version}.\n`,
);
console.log('| Filter | Evasions caught | Innocent words refused | Sentences refused |');
console.log('|---|---:|---:|---:|');
const appMisses: typeof evasions = [];
const appRefusedInnocent: string[] = [];
for (const screen of screens) {
  const caught = evasions.filter((evasion) => {
    const refused = screen.refuses(evasion.text);
    if (!refused && screen === screens[0]) appMisses.push(evasion);
    return refused;
  }).length;
  const refusedInnocent = innocent.filter((word) => screen.refuses(word));
  if (screen === screens[0]) appRefusedInnocent.push(...refusedInnocent);
  const refusedSentences = sentences.filter((line) => screen.refuses(line)).length;
  console.log(
    `| ${screen.name} | ${percent(caught, evasions.length)} | ${percent(refusedInnocent.length, innocent.length)} | ` +
      `${percent(refusedSentences, sentences.length)} |`,
  );
}

const byForm = new Map<string, number>();
for (const miss of appMisses) byForm.set(miss.form, (byForm.get(miss.form) ?? 0) + 1);
console.log(`\nEvasions the app delivers, by form (${appMisses.length}):\n`);
for (const [form, count] of [...byForm].sort((a, b) => b[1] - a[1])) {
  const examples = appMisses
    .filter((miss) => miss.form === form)
    .slice(0, 4)
    .map((miss) => `\`${JSON.stringify(miss.text).slice(1, -1)}\``);
  console.log(`- ${form}: ${count} (${examples.join(', ')})`);
}
console.log(
  `\nInnocent words the app refuses (${appRefusedInnocent.length}): ${appRefusedInnocent.slice(0, 60).join(', ')}`,
);

/** Clean lines (sentences the app delivers), messages/s of the policy and of obscenity alone, best of 7 slices. */
const clean = sentences.filter((line) => moderator.moderate(line, fresh, 0).verdict.allowed).slice(0, 2_000);
const rate = (run: (text: string) => unknown) => {
  let best = 0;
  for (let round = 0; round < 7; round++) {
    let done = 0;
    const started = performance.now();
    while (performance.now() - started < 300) {
      for (const line of clean) run(line);
      done += clean.length;
    }
    best = Math.max(best, done / ((performance.now() - started) / 1000));
  }
  return best;
};
rate((line) => moderator.moderate(line, fresh, 0));
const appRate = rate((line) => moderator.moderate(line, fresh, 0));
const obscenityRate = rate((line) => obscenity.hasMatch(line));
console.log(
  `\nClean lines: the policy ${Math.round(appRate).toLocaleString('en')} msg/s, obscenity alone ` +
    `${Math.round(obscenityRate).toLocaleString('en')} msg/s (${(appRate / obscenityRate).toFixed(2)}×).`,
);
