import type { RuleDefinition } from './rule-kinds';

type Faq = RuleDefinition<'faq'>;

/** Words too common to tell questions apart. */
const STOP_WORDS = new Set(['a', 'an', 'the', 'i', 'my', 'me', 'you', 'your', 'we', 'our', 'is', 'are', 'do', 'does', 'can', 'to', 'of', 'for', 'in', 'on', 'at', 'it', 'and', 'or', 'what', 'how', 'when', 'where', 'please', 'hi', 'hello']);

/** Lower-case words without punctuation or stop words, a plural's "s" dropped ("returns" and "return" are one word). */
export function terms(text: string): string[] {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim().split(' ')
    .filter((w) => w.length > 1 && !STOP_WORDS.has(w))
    .map((w) => (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w));
}

/** Damerau-free edit distance, capped: enough to forgive one typo ("shiping", "refnud"). */
function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i += 1;
      j += 1;
      continue;
    }
    edits += 1;
    if (edits > 1) return false;
    if (a.length > b.length) i += 1;
    else if (b.length > a.length) j += 1;
    else {
      // A swap of two neighbours is one typo too.
      if (a[i] === b[j + 1] && a[i + 1] === b[j]) {
        i += 2;
        j += 2;
        continue;
      }
      i += 1;
      j += 1;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}

function matches(word: string, term: string): boolean {
  return word === term || (term.length >= 5 && withinOneEdit(word, term));
}

/**
 * The entry that answers a message best, or undefined. A keyword phrase found in the message wins outright;
 * otherwise the share of an entry's question terms the message contains (typos of long words forgiven) must
 * reach `minScore`, and the best entry must beat the runner-up, so an ambiguous question goes to a person.
 */
export function bestAnswer(faq: Faq, message: string): { index: number; score: number } | undefined {
  const words = terms(message);
  if (!words.length) return undefined;
  const padded = ` ${words.join(' ')} `;
  const byKeyword = faq.entries.findIndex((e) => e.keywords.some((k) => padded.includes(` ${terms(k).join(' ')} `)));
  if (byKeyword >= 0) return { index: byKeyword, score: 1 };
  const scored = faq.entries.map((entry, index) => {
    const question = [...new Set(terms(entry.question))];
    const found = question.filter((term) => words.some((w) => matches(w, term))).length;
    return { index, score: question.length ? found / question.length : 0 };
  }).sort((a, b) => b.score - a.score);
  const [best, second] = scored;
  if (!best || best.score < faq.minScore) return undefined;
  return second && second.score === best.score ? undefined : best;
}
