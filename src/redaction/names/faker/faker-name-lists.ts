/**
 * Name lists from @faker-js/faker (MIT): the given names and surnames of every locale it ships —
 * some 70 locales, Latin, Cyrillic, Greek, Han, kana, Hangul, Arabic, Hebrew, Persian, Devanagari
 * and more — flattened, split into words and folded once at start (~20,000 given names, ~17,000
 * surnames). Only the data is used, never the generators.
 */
import { allLocales } from '@faker-js/faker';
import { foldKey } from '../fold.ts';
import { MIN_NAME_WORD, PARTICLES, type NameLists } from '../name-lists.ts';
import { isUnspaced } from '../scripts.ts';

function strings(node: unknown): string[] {
  if (typeof node === 'string') return [node];
  if (Array.isArray(node)) return node.flatMap(strings);
  if (node !== null && typeof node === 'object') return Object.values(node).flatMap(strings);
  return [];
}

/** Pattern entries (`{{person.last_name.generic}}`) are templates, not names. */
const TEMPLATE = /[{}]/;
const WORDS = /[\p{L}\p{M}\u200c\u200d]+/gu;

function addName(name: string, spaced: Set<string>, unspaced: Set<string>): void {
  if (TEMPLATE.test(name)) return;
  for (const [word] of name.matchAll(WORDS)) {
    if (isUnspaced(word)) {
      unspaced.add(word);
      continue;
    }
    const key = foldKey(word);
    if (key.length >= MIN_NAME_WORD && !PARTICLES.has(key)) spaced.add(key);
  }
}

export function fakerNameLists(): NameLists {
  const given = new Set<string>();
  const surnames = new Set<string>();
  const unspacedGiven = new Set<string>();
  const unspacedSurnames = new Set<string>();
  for (const locale of Object.values(allLocales)) {
    const person = (locale as { person?: { first_name?: unknown; last_name?: unknown; middle_name?: unknown } }).person;
    if (!person) continue;
    for (const name of strings(person.first_name)) addName(name, given, unspacedGiven);
    for (const name of strings(person.middle_name)) addName(name, given, unspacedGiven);
    for (const name of strings(person.last_name)) addName(name, surnames, unspacedSurnames);
  }
  return { given, surnames, unspacedGiven, unspacedSurnames };
}
