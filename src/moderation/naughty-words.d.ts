/** naughty-words ships no types: an object of word lists keyed by language code (one JSON file per language). */
declare module 'naughty-words' {
  type Language =
    | 'ar'
    | 'cs'
    | 'da'
    | 'de'
    | 'en'
    | 'eo'
    | 'es'
    | 'fa'
    | 'fi'
    | 'fil'
    | 'fr'
    | 'fr-CA-u-sd-caqc'
    | 'hi'
    | 'hu'
    | 'it'
    | 'ja'
    | 'kab'
    | 'ko'
    | 'nl'
    | 'no'
    | 'pl'
    | 'pt'
    | 'ru'
    | 'sv'
    | 'th'
    | 'tlh'
    | 'tr'
    | 'zh';
  const lists: Record<Language, string[]>;
  export default lists;
}
