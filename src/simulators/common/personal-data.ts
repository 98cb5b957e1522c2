/**
 * A deliberately independent personal-data screen for simulators: it must catch what the
 * pipeline's own redactor missed, so it shares no code with it. Reports paths and kinds, never
 * values.
 */
export type PersonalDataKind = 'email' | 'phone' | 'personal_field';

export interface PersonalDataFinding {
  /** `donor.email`, `records[3].note`; a personal-looking key shows as `<email-like key>`. */
  readonly path: string;
  readonly kind: PersonalDataKind;
}

export interface PersonalDataOptions {
  /** Paths where personal data is allowed (every kind), e.g. `donor.email` when receipts are on. */
  readonly allowedPaths?: ReadonlySet<string>;
}

const EMAIL_PATTERN = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;

/** Digit runs with phone punctuation, not glued to letters, digits or other punctuation. */
const PHONE_CANDIDATE = /(?<![\w.+-])\+?\(?\d[\d ().-]*\d\)?(?!\w)/g;

/** Field names that carry a person's identity whatever their value looks like. */
const PERSONAL_FIELD_NAMES = new Set([
  'name',
  'firstname',
  'lastname',
  'fullname',
  'displayname',
  'givenname',
  'familyname',
  'surname',
  'email',
  'emailaddress',
  'mail',
  'phone',
  'phonenumber',
  'mobile',
  'telephone',
]);

export function looksLikeEmail(value: string): boolean {
  return EMAIL_PATTERN.test(value);
}

/**
 * True for `+44 7700 900123`, `(555) 123-4567`, `555.123.4567`, `07700 900123`; false for dates
 * and datetimes, decimals, UUIDs, hex digests, bare digit ids and ids like `840-530196605`.
 */
/** A UUID: its leading all-digit groups (`49301827-5512-4e8a-…`) can look like a phone number. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function looksLikePhone(value: string): boolean {
  if (UUID.test(value.trim())) return false;
  for (const match of value.matchAll(PHONE_CANDIDATE)) {
    const text = match[0];
    const digits = text.replace(/\D/g, '');
    if (digits.length < 8 || digits.length > 15) continue;
    if (text.startsWith('+')) return true;
    if (digits.length < 9) continue;
    if (/\d{4}-\d{2}-\d{2}/.test(text) || /^\d+\.\d+$/.test(text)) continue; // a date, a decimal
    const groups = text.split(/\D+/).filter((group) => group.length > 0);
    if (groups.length >= 2 && groups.every((group) => group.length <= 8)) return true;
  }
  return false;
}

function classify(value: string): PersonalDataKind | undefined {
  if (looksLikeEmail(value)) return 'email';
  if (looksLikePhone(value)) return 'phone';
  return undefined;
}

/** Every path holding an email- or phone-looking string or a personal field name (e.g. `email`). */
export function findPersonalData(value: unknown, options: PersonalDataOptions = {}): PersonalDataFinding[] {
  const allowed = options.allowedPaths ?? new Set<string>();
  const findings: PersonalDataFinding[] = [];
  const visit = (item: unknown, path: string): void => {
    if (allowed.has(path)) return;
    if (typeof item === 'string') {
      const kind = classify(item);
      if (kind !== undefined) findings.push({ path: path || '(root)', kind });
      return;
    }
    if (Array.isArray(item)) {
      item.forEach((element, index) => visit(element, `${path}[${index}]`));
      return;
    }
    if (item === null || typeof item !== 'object') return;
    for (const [key, child] of Object.entries(item)) {
      // A key that is itself an email or a phone must not leak into the path we report.
      const keyKind = classify(key);
      const segment = keyKind === undefined ? key : `<${keyKind}-like key>`;
      const childPath = path === '' ? segment : `${path}.${segment}`;
      if (allowed.has(childPath)) continue;
      if (keyKind !== undefined) findings.push({ path: childPath, kind: keyKind });
      else if (PERSONAL_FIELD_NAMES.has(key.toLowerCase()) && child !== undefined && child !== null) {
        findings.push({ path: childPath, kind: 'personal_field' });
        continue;
      }
      visit(child, childPath);
    }
  };
  visit(value, '');
  return findings;
}

const DESCRIPTIONS: Record<PersonalDataKind, string> = {
  email: 'looks like an email address',
  phone: 'looks like a phone number',
  personal_field: 'personal field not allowed here',
};

/** `{ path, message }` details for a 422 `personal_data_rejected` answer. */
export function personalDataDetails(findings: readonly PersonalDataFinding[]): { path: string; message: string }[] {
  return findings.map((finding) => ({ path: finding.path, message: DESCRIPTIONS[finding.kind] }));
}
