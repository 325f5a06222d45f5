import { z } from 'zod';

export interface ConsentKeywords {
  stop: ReadonlySet<string>;
  start: ReadonlySet<string>;
}

/** Whole-message keywords in the languages our customers' customers write in. */
export const DEFAULT_STOP_KEYWORDS = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'STOPP', 'ARRET', 'ARRÊT', 'PARAR', 'BAJA', 'ALTO', 'CANCELAR', 'ABMELDEN'];
export const DEFAULT_START_KEYWORDS = ['START', 'SUBSCRIBE', 'UNSTOP', 'COMENZAR', 'INICIAR', 'ALTA', 'ANMELDEN', 'DEMARRER', 'DÉMARRER'];

/** `whatsapp_number.consent_keywords`: each list given replaces the default list of that side. */
const overrides = z.object({ stop: z.array(z.string()).optional(), start: z.array(z.string()).optional() });

function normalize(text: string): string {
  return text.normalize('NFC').trim().toLowerCase();
}

export function consentKeywordsFrom(raw: unknown): ConsentKeywords {
  const parsed = overrides.safeParse(raw);
  const given = parsed.success ? parsed.data : {};
  return {
    stop: new Set((given.stop ?? DEFAULT_STOP_KEYWORDS).map(normalize)),
    start: new Set((given.start ?? DEFAULT_START_KEYWORDS).map(normalize)),
  };
}

/** The consent status a text message asks for, if its whole (trimmed, case-insensitive) body is a keyword. */
export function consentKeywordIn(keywords: ConsentKeywords, text: string): 'opted_out' | 'opted_in' | null {
  if (text.length > 40) return null; // keywords are single words: skip normalising long messages
  const word = normalize(text);
  if (keywords.stop.has(word)) return 'opted_out';
  if (keywords.start.has(word)) return 'opted_in';
  return null;
}
