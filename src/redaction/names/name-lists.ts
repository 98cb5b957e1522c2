/**
 * The dictionaries the name recognizer matches against, folded (lower case, no marks): given
 * names and surnames in every script the lists cover, and words that are names but far more
 * often something else in CSR text (`Will`, `Grace`, `Hope`, `Jordan`, `Park`), which count as a
 * name only next to a surname. Filled by an adapter (faker/faker-name-lists.ts); the recognizer
 * itself imports no vendor package.
 */

export interface NameLists {
  /** Given names, folded; multi-word names are split into their words. */
  readonly given: ReadonlySet<string>;
  /** Surnames, folded. */
  readonly surnames: ReadonlySet<string>;
  /** Given names and surnames of scripts written without spaces (Han, kana, Hangul), unfolded. */
  readonly unspacedGiven: ReadonlySet<string>;
  readonly unspacedSurnames: ReadonlySet<string>;
}

/** Words shorter than this are too ambiguous to be a name on their own (`Al`, `Bo`, `Li` need a surname). */
export const MIN_NAME_WORD = 2;

/** Name particles that are never a name on their own. */
export const PARTICLES: ReadonlySet<string> = new Set([
  'de', 'da', 'das', 'do', 'dos', 'del', 'della', 'di', 'du', 'la', 'le', 'van', 'von', 'der', 'den', 'ter', 'ten',
  'bin', 'ibn', 'bint', 'al', 'el', 'y', 'e', 'st', 'mc', 'mac', 'abu', 'ben',
]);

/**
 * Common words of CSR text (English, with a few French, German and Spanish ones) that name lists
 * also hold as given names or surnames, places named like people among them. Such a word is a
 * name only beside a known surname (`Will Smith`), never because it is capitalised.
 */
export const COMMON_WORDS: ReadonlySet<string> = new Set(
  `
a about above after again against all also am an and any april are art as at august autumn baker bank banks be
bell berry best bill bishop black blue bond born boy brook brown buck burn bush but by call can cane care carol
chance charity cherry child church city clay clean cliff coast cole cook cool cross crown dale dawn day dean
december del dell do down drive early east ellis english faith fall field fields fish fisher florence ford forest
fox frank free friday gale garden gardens gay general gift glen gold golden good grace grand grant gray green
grove hall ham hand happy harmony haven heart heath hill hills holiday holly home hood hope house hunt hunter
in is it ivy jack jackson jan jordan joy july june just justice kind king kids lake lane lawn liberty light
lincoln little long love lucky major march mark marsh mason may mayo mercy merry middle miles mill miller
moon moore more morning moss mount new newman night noble north november oak october of on or page paris park
parks patience peace pearl person pierce pine plain pool porter power price prince queen rain ray read reed
rich river road rock rose rosa royal ruby rush saint sale sand sandy school sea season september shepherd
short silver sky small smart snow south spring stamp star state stone storm street summer sun sunday sunny
swift taylor the their this to today tree trust union unity valley van victoria vine wall walker ward warren
washington water waters way well wells west white wild will winter wise wood woods worth young youth
amber autumn dusty faith felicity hazel heather honor iris jade jasmine lily daisy olive poppy sage violet
austin dallas denver houston madison phoenix sydney aurora georgia carolina virginia chelsea camden kent york
devon essex chester lourdes mecca salem eden zion nova sierra india china kenya
ville berg platz strasse monte santa santo san sol mar luz paz
milan lyon lima regina adelaide alexandria valencia santiago orlando charlotte
business community centre center school college university hospital foundation club association society council
network group team project program programme initiative campaign fund appeal kitchen shelter library museum farm
market station airport bridge beach mountain island primary secondary high junior senior academy institute
clinic health hub space lab office campus building tower plaza court place point week month year run walk ride
challenge festival fair cup league award awards prize county district borough village town central global
international national local united old great big food clothing toy book books coat coats blood trees cleanup
mentoring coding reading literacy tutoring volunteers volunteer volunteering crew services service support
partners partnership alliance coalition corp inc ltd plc gmbh llc company technologies systems solutions
friends family families children women men girls boys seniors elders youth refugees veterans animals animal
rescue relief aid action works world earth ocean green climate energy solar water wildlife nature habitat
humanity learning education science arts music sports sport games digital skills career careers jobs
dock docks harbour harbor pier wharf quay port marina canal bay gate gates memorial monument cathedral chapel
mosque temple synagogue abbey priory castle palace stadium arena theatre theater cinema gallery hotel inn pub
cafe restaurant shop store mall warehouse depot yard factory estate manor cottage lodge heights gardens meadow
meadows common green square circus crescent terrace parade row close mews embankment junction cross corner
`
    .split(/\s+/)
    .filter(Boolean),
);

/** Titles that make the capitalised word after them a name: `Dr. Okafor`, `Mrs Ellis`, `г-н Иванов`. */
export const HONORIFICS: ReadonlySet<string> = new Set([
  'mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'professor', 'sir', 'dame', 'lady', 'lord', 'madam', 'madame', 'mme',
  'mlle', 'monsieur', 'herr', 'frau', 'senor', 'senora', 'sr', 'sra', 'srta', 'dona', 'don', 'signor', 'signora',
  'sig', 'sig.ra', 'pan', 'pani', 'gospodin', 'gospozha', 'господин', 'госпожа', 'г-н', 'г-жа',
]);
