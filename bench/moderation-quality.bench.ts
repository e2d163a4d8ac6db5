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
import { array as badwordsList } from 'badwords-list';
import { Filter as GlinFilter } from 'glin-profanity';
import leoProfanity from 'leo-profanity';
import naughtyWords from 'naughty-words';
import { englishDataset, englishRecommendedTransformers, RegExpMatcher } from 'obscenity';
import { sentence, setRandom } from 'txtgen';
import { createModerator, initialModerationState, moderationPolicySchema } from '../src/moderation/index.js';
import { CARRIERS, EVASION_FORMS } from './support/evasion-forms.js';

/** Deterministic generator, so every run judges the same sets. */
function seededRandom(seed: number): () => number {
  let value = seed;
  return () => {
    value = (Math.imul(value, 1_103_515_245) + 12_345) >>> 0;
    return value / 2 ** 32;
  };
}

const singleWord = (entry: string) => /^[a-z]{3,}$/.test(entry);
/**
 * The rude words: those both public lists call rude (badwords-list and naughty-words' English list, single words of
 * three letters or more). Either list alone holds ordinary words the other does not ("pawn", "hell" and "God" in
 * badwords-list; "escort", "domination" in naughty-words), which no chat filter should refuse.
 */
const naughtyEnglish = new Set(naughtyWords.en.map((entry) => entry.toLowerCase()));
const rudeWords = [...new Set((badwordsList as readonly string[]).map((entry) => entry.toLowerCase()))]
  .filter((entry) => singleWord(entry) && naughtyEnglish.has(entry))
  .sort();
/** Every entry of either list: a word spelt like one of these is rude by definition, never innocent. */
const listed = new Set(
  [...(badwordsList as readonly string[]), ...naughtyWords.en].map((entry) => entry.toLowerCase()),
);
const INFLECTIONS = ['', 's', 'es', 'ed', 'ing', 'ings', 'in', 'er', 'ers', 'y', 'ies', 'ier', 'iest'];
/**
 * What the lists themselves compound rude words with: "head" from "shithead", "bull" from "bullshit", "sucker" from
 * "cocksucker". Taken from the lists, so the definition of a rude compound owes nothing to the app's own tables.
 */
const compoundParts = new Set<string>();
for (const entry of listed)
  for (const rude of rudeWords) {
    if (entry.length < rude.length + 3 || !/^[a-z]+$/.test(entry)) continue;
    if (entry.startsWith(rude)) compoundParts.add(entry.slice(rude.length));
    if (entry.endsWith(rude)) compoundParts.add(entry.slice(0, -rude.length));
  }

/** The word without one inflection: itself, and each ending removed (with a doubled last letter or a final "e"). */
function stems(word: string): string[] {
  return INFLECTIONS.filter((ending) => word.endsWith(ending) && word.length > ending.length + 2).flatMap((ending) => {
    const stem = word.slice(0, word.length - ending.length);
    return [stem, stem.slice(0, -1), `${stem}e`];
  });
}

/**
 * Rude by spelling: after one inflection is removed, an entry of either list, or a rude word compounded with another
 * rude word or with a part the lists compound rude words with ("shitheads", "bullshitting", "cocksuckers").
 */
function isRudeBySpelling(word: string): boolean {
  return stems(word).some(
    (stem) =>
      listed.has(stem) ||
      rudeWords.some((rude) => {
        if (stem.startsWith(rude)) {
          const rest = stem.slice(rude.length);
          return compoundParts.has(rest) || rudeWords.includes(rest);
        }
        return stem.endsWith(rude) && compoundParts.has(stem.slice(0, -rude.length));
      }),
  );
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
const innocent = englishWords.filter(
  (word) => rudeWords.some((rude) => word.includes(rude)) && !isRudeBySpelling(word),
);
setRandom(seededRandom(2026));
const sentences = Array.from({ length: 5_000 }, () => sentence());

const moderator = createModerator(moderationPolicySchema.parse({}));
const fresh = initialModerationState();
const obscenity = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
const badWords = new BadWordsFilter();
const glin = new GlinFilter({ languages: ['english'], detectLeetspeak: true, normalizeUnicode: true });

const screens: { name: string; refuses: (text: string) => boolean }[] = [
  { name: 'this app (default policy)', refuses: (text) => !moderator.moderate(text, fresh, 0).verdict.allowed },
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
