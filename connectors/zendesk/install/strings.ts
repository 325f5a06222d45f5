/**
 * What the install pages say, by Zendesk's `locale` (the admin's). Every string exists in English, the
 * fallback; other languages may leave some out. `{x}` placeholders are filled (and escaped) by the page.
 */
const en = {
  title: 'Connect WhatsApp with Threadline',
  connectIntro: 'To show this Zendesk account your WhatsApp numbers, prove that you administer the Threadline workspace: create a connect code in Threadline (POST /api/v1/zendesk/connect-codes with the admin token) and type it here. A code works once, for 15 minutes.',
  codeLabel: 'Connect code',
  continue: 'Continue',
  codeRefused: 'This connect code is unknown, expired or already used. Create a new one in Threadline and type it again.',
  numbersIntro: 'Choose the WhatsApp number this integration account serves. Its conversations become tickets in {subdomain}.zendesk.com, and agents reply from the ticket.',
  numberLegend: 'WhatsApp number',
  noNumbers: 'This Threadline workspace has no WhatsApp number yet. Add one in Threadline (POST /api/v1/numbers), then open this integration account again.',
  nameLabel: 'Name of this integration account',
  tagsLabel: 'Tags for new tickets (comma separated, optional)',
  groupLabel: 'Group id for new tickets (optional)',
  connect: 'Connect and authorise Zendesk',
  numberRefused: 'Choose one of the listed numbers.',
  groupRefused: 'The group id must be a positive whole number, or empty.',
  handBack: 'Threadline is connected. Returning to Zendesk…',
  handBackButton: 'Return to Zendesk',
  errorTitle: 'Threadline could not connect this account',
  startAgain: 'Open the integration account again from Zendesk Admin Center to start over.',
} as const;

export type StringKey = keyof typeof en;
type Strings = Record<StringKey, string>;

const es: Partial<Strings> = {
  title: 'Conectar WhatsApp con Threadline',
  codeLabel: 'Código de conexión',
  continue: 'Continuar',
  numberLegend: 'Número de WhatsApp',
  connect: 'Conectar y autorizar Zendesk',
  handBack: 'Threadline está conectado. Volviendo a Zendesk…',
  handBackButton: 'Volver a Zendesk',
  errorTitle: 'Threadline no pudo conectar esta cuenta',
};

const byLanguage: Record<string, Partial<Strings>> = { en, es };

/** Zendesk locales look like `en-US`, `es`, `pt-br`: the language part picks the strings. */
export function stringsFor(locale: string | undefined): { lang: string; t: (key: StringKey, values?: Record<string, string>) => string } {
  const lang = (locale ?? 'en').toLowerCase().split(/[-_]/)[0] ?? 'en';
  const chosen = byLanguage[lang] ?? en;
  return {
    lang: byLanguage[lang] ? lang : 'en',
    t: (key, values = {}) => (chosen[key] ?? en[key]).replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole),
  };
}
