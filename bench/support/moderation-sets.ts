/**
 * The word sets of the moderation-quality benchmark, shared with the unit tests: the rude words evasions are generated
 * from, and the definition of an innocent word. Built from the public lists alone (badwords-list, naughty-words), never
 * from the app's tables; bench/README.md says why each choice.
 */
import badwordsList from 'badwords-list';
import naughtyWords from 'naughty-words';

const singleWord = (entry: string) => /^[a-z]{3,}$/.test(entry);
/**
 * The rude words: those both public lists call rude (badwords-list and naughty-words' English list, single words of
 * three letters or more). Either list alone holds ordinary words the other does not ("pawn", "hell" and "God" in
 * badwords-list; "escort", "domination" in naughty-words), which no chat filter should refuse.
 */
const naughtyEnglish = new Set(naughtyWords.en.map((entry) => entry.toLowerCase()));
export const rudeWords = [...new Set(badwordsList.array.map((entry) => entry.toLowerCase()))]
  .filter((entry) => singleWord(entry) && naughtyEnglish.has(entry))
  .sort();
/** Every entry of either list: a word spelt like one of these is rude by definition, never innocent. */
const listed = new Set([...badwordsList.array, ...naughtyWords.en].map((entry) => entry.toLowerCase()));
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
export function isRudeBySpelling(word: string): boolean {
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

/** The words of an English word list that contain a rude word but are not rude by spelling. */
export function innocentWords(english: readonly string[]): string[] {
  return english.filter((word) => rudeWords.some((rude) => word.includes(rude)) && !isRudeBySpelling(word));
}
