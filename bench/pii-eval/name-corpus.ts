/**
 * Seeded people's names for the evaluation, in several scripts, from @faker-js/faker's seeded
 * generators (the same lists the recognizer knows: this measures the rules and contexts, not
 * the lists' coverage), plus a held-out shape — a known given name with an invented surname no
 * list holds — that measures what capitalisation alone carries.
 */
import {
  fakerAR,
  fakerDE,
  fakerEL,
  fakerEN,
  fakerES,
  fakerFA,
  fakerFR,
  fakerHE,
  fakerIT,
  fakerJA,
  fakerKO,
  fakerPL,
  fakerRU,
  fakerTR,
  fakerUK,
  fakerVI,
  fakerZH_CN,
  type Faker,
} from '@faker-js/faker';
import { pick, type Random } from '../../test/fixtures/pii/random.ts';

export interface NameSample {
  /** Script or shape, e.g. `latin`, `cyrillic`, `han`, `latin_id`, `latin_unseen_surname`. */
  readonly shape: string;
  readonly value: string;
  readonly text: string;
}

const LATIN: readonly Faker[] = [fakerEN, fakerDE, fakerFR, fakerES, fakerIT, fakerPL, fakerTR, fakerVI];
const EN_TEMPLATES = [
  'Thanks to {} for leading the beach clean-up.',
  '{} volunteered 3 hours at the food bank.',
  'Contact person: {}',
  'Met with {} and the team on Friday.',
  'Mentor sessions with {} moved to 10:30.',
  'Shift lead {} reported 42 kg of litter.',
  'Donation in memory of {}, 2026-11-28.',
];
const TEMPLATES: Readonly<Record<string, readonly string[]>> = {
  cyrillic: ['Спасибо {} за помощь.', '{} провела занятие.', 'Координатор: {}', ...EN_TEMPLATES],
  greek: ['Ευχαριστούμε {} για τη βοήθεια.', 'Υπεύθυνη: {}'],
  arabic: ['شكرا {} على المساعدة.', 'المنسق: {}', 'تطوع {} لمدة ثلاث ساعات'],
  persian: ['با تشکر از {} برای کمک', 'هماهنگ کننده: {}'],
  hebrew: ['תודה ל {} על העזרה', 'רכזת: {}'],
  han: ['感谢{}参加活动。', '负责人：{}', '志愿者{}服务了3小时。'],
  japanese: ['{}さん、ありがとうございました。', '担当：{}', '{} が参加しました。'],
  hangul: ['{} 님 감사합니다.', '담당자: {}'],
};

const SYLLABLES = ['ka', 'lo', 'mi', 'ren', 'to', 'vu', 'sha', 'zi', 'bo', 'den', 'qua', 'ny', 'ek', 'ol', 'wu'];
const CYR_SYLLABLES = ['ка', 'ло', 'ми', 'рен', 'то', 'ву', 'ша', 'зи', 'бо', 'ден'];

const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);
const fill = (template: string, value: string) => template.replace('{}', () => value);

function invented(random: Random, syllables: readonly string[]): string {
  return cap(pick(random, syllables) + pick(random, syllables) + pick(random, syllables) + pick(random, ['v', 'son', 'ez', 'ski', 'ov', 'an']));
}

/** `perShape` names of every shape, each in a random context of its script. */
export function nameCorpus(random: Random, perShape: number): NameSample[] {
  const seed = Math.floor(random() * 1e9);
  for (const f of [...LATIN, fakerRU, fakerUK, fakerEL, fakerAR, fakerFA, fakerHE, fakerZH_CN, fakerJA, fakerKO]) f.seed(seed);
  const out: NameSample[] = [];
  const add = (shape: string, value: string, templates: readonly string[]) => out.push({ shape, value, text: fill(pick(random, templates), value) });
  for (let i = 0; i < perShape; i++) {
    const latin = pick(random, LATIN);
    add('latin', `${latin.person.firstName()} ${latin.person.lastName()}`, EN_TEMPLATES);
    const first = fakerEN.person.firstName().toLowerCase();
    const last = fakerEN.person.lastName().toLowerCase();
    const id = `${pick(random, ['prj', 'p', 'usr', 'team'])}${pick(random, ['-', '_', '/'])}${first}${pick(random, ['-', '.', '_'])}${last}`;
    out.push({ shape: 'latin_in_id', value: id.slice(id.length - first.length - last.length - 1), text: id });
    const ru = pick(random, [fakerRU, fakerUK]);
    add('cyrillic', `${ru.person.firstName()} ${ru.person.lastName()}`, TEMPLATES.cyrillic!);
    add('greek', `${fakerEL.person.firstName()} ${fakerEL.person.lastName()}`, TEMPLATES.greek!);
    add('arabic', `${fakerAR.person.firstName()} ${fakerAR.person.lastName()}`, TEMPLATES.arabic!);
    add('persian', `${fakerFA.person.firstName()} ${fakerFA.person.lastName()}`, TEMPLATES.persian!);
    add('hebrew', `${fakerHE.person.firstName()} ${fakerHE.person.lastName()}`, TEMPLATES.hebrew!);
    add('han', `${fakerZH_CN.person.lastName()}${fakerZH_CN.person.firstName()}`, TEMPLATES.han!);
    add('japanese', `${fakerJA.person.lastName()}${pick(random, ['', ' '])}${fakerJA.person.firstName()}`, TEMPLATES.japanese!);
    add('hangul', `${fakerKO.person.lastName()}${fakerKO.person.firstName()}`, TEMPLATES.hangul!);
    add('latin_unseen_surname', `${latin.person.firstName()} ${invented(random, SYLLABLES)}`, EN_TEMPLATES);
    add('cyrillic_unseen_surname', `${fakerRU.person.firstName()} ${invented(random, CYR_SYLLABLES)}`, TEMPLATES.cyrillic!);
  }
  return out;
}
