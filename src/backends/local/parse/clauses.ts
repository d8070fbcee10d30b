// Phrases that contain a clause separator but are one idea; protected before splitting.
const COMPOUNDS: Array<[RegExp, string]> = [
  [/\bblack[\s-]*(?:and|&|n'?)[\s-]*white\b/g, 'black_and_white'],
  [/\bb\s*[&/]\s*w\b/g, 'black_and_white'],
  [/\bleft\s+(?:and|&)\s+right\b/g, 'left_to_right'],
  [/\btop\s+(?:and|&)\s+bottom\b/g, 'top_to_bottom'],
];

// Politeness and framing that carry no instruction.
const FILLER = [
  /^(?:please|pls|kindly)\s+/,
  /^(?:can|could|would|will)\s+you\s+(?:please\s+)?/,
  /^(?:i\s+(?:want|would like|'d like|need)\s+(?:you\s+)?(?:to\s+)?)/,
  /^(?:i\s+want|i\s+need)\s+/,
  /^(?:let's|lets)\s+/,
  /^(?:also|then|and|finally|next|after that|afterwards)\s+/,
  /\s+(?:please|for me|thanks|thank you)$/,
];

/** Normalises a prompt and splits it into clauses, one instruction each, in order. */
export function splitClauses(prompt: string): string[] {
  let text = ` ${prompt.toLowerCase().replace(/[’`]/g, "'").replace(/\s+/g, ' ')} `;
  for (const [re, to] of COMPOUNDS) text = text.replace(re, to);
  return text
    // Sentence ends and list separators; a dot between digits is a decimal point, not an end.
    .split(/(?<!\d)[.](?!\d)|[;!?\n]|,|\b(?:and then|then|and also|and|also|plus|after that|while|but|whilst)\b/)
    .map((c) => {
      let clause = c.trim();
      for (let changed = true; changed;) {
        const before = clause;
        for (const re of FILLER) clause = clause.replace(re, '').trim();
        changed = clause !== before;
      }
      return clause;
    })
    .filter((c) => c.length > 0);
}
