const UNITS: Record<string, number> = {
  zero: 0, one: 1, a: 1, an: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19,
};
const TENS: Record<string, number> = { twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90 };

const WORD = `(?:${[...Object.keys(UNITS).filter((w) => w !== 'a' && w !== 'an'), ...Object.keys(TENS), 'hundred'].join('|')})`;
// "a hundred and eighty", "two hundred seventy", "forty-five", "ninety".
const NUMBER_PHRASE = new RegExp(`\\b(?:(?:a|an|${WORD})[\\s-]+)?(?:${WORD})(?:(?:[\\s-]+|\\s+and\\s+)${WORD})*\\b`, 'g');

function phraseValue(phrase: string): number | null {
  let total = 0;
  let current = 0;
  let any = false;
  for (const word of phrase.split(/[\s-]+/).filter((w) => w !== 'and')) {
    if (word in UNITS) current += UNITS[word]!;
    else if (word in TENS) current += TENS[word]!;
    else if (word === 'hundred') current = (current || 1) * 100;
    else return null;
    any = true;
  }
  total += current;
  return any ? total : null;
}

/** Rewrites number words as digits ("ninety degrees" → "90 degrees") so rules match one form. */
export function digitize(text: string): string {
  return text.replace(NUMBER_PHRASE, (phrase) => {
    // "a" or "an" on their own are articles, not the number one.
    if (/^(a|an)$/.test(phrase)) return phrase;
    if (/^(a|an)\s/.test(phrase) && !/hundred/.test(phrase)) return phrase;
    const value = phraseValue(phrase);
    return value === null ? phrase : String(value);
  });
}
