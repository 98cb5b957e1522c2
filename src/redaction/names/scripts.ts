/** Which writing system a character belongs to, as far as name matching needs to know. */

/** Han, Hiragana, Katakana and Hangul: written without spaces between words, so no word boundaries. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
/** Scripts with upper and lower case, where a capital is a hint of a name. */
const CASED = /[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Armenian}\p{Script=Georgian}]/u;

export function isUnspacedChar(ch: string): boolean {
  return ch.charCodeAt(0) >= 0x2e80 && UNSPACED.test(ch);
}

export function isUnspaced(word: string): boolean {
  for (const ch of word) if (isUnspacedChar(ch)) return true;
  return false;
}

export function isCasedWord(word: string): boolean {
  return CASED.test(word);
}

/** `Maria`, `José`, `Мария`, `O'Neil`: a capital, then at least one letter, not all capitals beyond two letters. */
export function isTitleCase(word: string): boolean {
  const first = word[0];
  if (first === undefined || word.length < 2) return false;
  if (first === first.toLowerCase() || first !== first.toUpperCase()) return false;
  const rest = word.slice(1);
  return rest !== rest.toUpperCase() || word.length <= 2;
}
