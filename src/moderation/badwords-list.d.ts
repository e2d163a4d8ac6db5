/** badwords-list 1.0.0 ships no types: a CommonJS object with the same list as an array, an object and a RegExp. */
declare module 'badwords-list' {
  const lists: { array: string[] };
  export default lists;
}
