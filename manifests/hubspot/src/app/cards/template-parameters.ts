import type { CardTemplate, TemplateParameters } from './card-api';

/** The record properties a template's parameters are prefilled from (contact records; deals have `dealname`). */
export const PREFILL_PROPERTIES = ['firstname', 'lastname', 'email', 'company', 'dealname'];

type Properties = Record<string, string | null | undefined>;

/** A parameter's value from the record, by its name (named templates) or position (`1` is the customer's name). */
function valueFor(parameter: string, properties: Properties, contactName: string | null): string {
  const full = [properties.firstname, properties.lastname].filter(Boolean).join(' ') || contactName || '';
  switch (parameter.toLowerCase()) {
    case '1': case 'first_name': case 'firstname': return properties.firstname || contactName || '';
    case 'name': case 'customer_name': case 'full_name': return full;
    case 'last_name': case 'lastname': return properties.lastname ?? '';
    case 'email': return properties.email ?? '';
    case 'company': case 'company_name': return properties.company ?? '';
    case 'deal': case 'deal_name': case 'dealname': return properties.dealname ?? '';
    default: return '';
  }
}

export function prefillParameters(template: CardTemplate, properties: Properties, contactName: string | null): string[] {
  return template.parameters.map((p) => valueFor(p.name, properties, contactName));
}

/** The body as the customer will read it; an empty parameter shows as its placeholder, so the gap is visible. */
export function previewTemplate(template: CardTemplate, values: readonly string[]): string {
  return template.parameters.reduce((body, p, i) => body.replaceAll(`{{${p.name}}}`, values[i] || `{{${p.name}}}`), template.body);
}

/** Positional templates (`{{1}}`, `{{2}}`) take a list, named ones a record (Core's two template kinds). */
export function parametersForSend(template: CardTemplate, values: readonly string[]): TemplateParameters {
  const positional = template.parameters.every((p) => /^\d+$/.test(p.name));
  if (positional) return template.parameters.map((_p, i) => values[i] ?? '');
  return Object.fromEntries(template.parameters.map((p, i) => [p.name, values[i] ?? '']));
}
