import { z } from 'zod';

export type ParameterFormat = 'POSITIONAL' | 'NAMED';

/** One variable a send must fill: `1`, `2`, … for positional templates, `first_name` for named ones. */
export interface TemplateParam {
  name: string;
  /** From the template's review examples, when Meta has one: useful as a placeholder in a composer. */
  example: string | undefined;
}

/**
 * The header a send must provide. TEXT takes `parameters` (at most one, §6.2); IMAGE / VIDEO / DOCUMENT
 * (and GIF) take one media parameter of that type, LOCATION one location parameter, and have no `parameters`.
 */
export interface TemplateHeader {
  format: string;
  parameters: TemplateParam[];
}

/**
 * A button by its `index` (what a send's `button` component names). URL buttons with a `{{1}}` take the URL
 * suffix as their one parameter; COPY_CODE takes the coupon code; QUICK_REPLY may carry a payload (optional).
 */
export interface TemplateButton {
  index: number;
  type: string;
  text: string;
  /** URL buttons: the base URL with its variable, e.g. `https://shop.example/track/{{1}}`. */
  url?: string;
  parameters: TemplateParam[];
}

export interface TemplateParameters {
  format: ParameterFormat;
  header: TemplateHeader | null;
  body: { parameters: TemplateParam[] };
  buttons: TemplateButton[];
}

// Components come from Meta (or from our own database, stored as Meta sent them): every detail is
// optional and a detail of an unexpected shape is dropped rather than failing the whole template.
const text = z.string().optional().catch(undefined);
const namedExamples = z.array(z.object({ param_name: z.string(), example: z.coerce.string() })).optional().catch(undefined);
const headerComponent = z.object({
  format: z.string().optional().catch(undefined),
  text,
  example: z.object({
    header_text: z.array(z.coerce.string()).optional().catch(undefined),
    header_text_named_params: namedExamples,
  }).optional().catch(undefined),
});
const bodyComponent = z.object({
  text,
  example: z.object({
    body_text: z.array(z.array(z.coerce.string())).optional().catch(undefined),
    body_text_named_params: namedExamples,
  }).optional().catch(undefined),
});
const buttonSchema = z.object({
  type: z.string().catch('UNKNOWN'),
  text: z.string().catch(''),
  url: text,
  example: z.union([z.array(z.coerce.string()), z.string()]).optional().catch(undefined),
});
const buttonsComponent = z.object({ buttons: z.array(z.unknown()).catch([]) });

const VARIABLE = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** Variable names in the order they first appear; positional ones sorted as numbers (`{{2}} … {{1}}` still means 1, 2). */
function variablesIn(value: string | undefined, format: ParameterFormat): string[] {
  if (!value) return [];
  const names = [...new Set([...value.matchAll(VARIABLE)].map((m) => m[1] ?? ''))].filter((n) => n !== '');
  return format === 'POSITIONAL' && names.every((n) => /^\d+$/.test(n)) ? names.sort((a, b) => Number(a) - Number(b)) : names;
}

function withExamples(names: string[], positional: string[] | undefined, named: { param_name: string; example: string }[] | undefined): TemplateParam[] {
  return names.map((name, i) => ({
    name,
    example: named?.find((e) => e.param_name === name)?.example ?? positional?.[/^\d+$/.test(name) ? Number(name) - 1 : i],
  }));
}

function componentType(component: Record<string, unknown>): string {
  return typeof component.type === 'string' ? component.type.toUpperCase() : '';
}

/**
 * What a send of this template must supply, derived from its components: the send path checks a request
 * against it (TEMPLATE_PARAMS_INVALID) before Meta would answer 132000 / 132012.
 */
export function templateParameters(components: readonly Record<string, unknown>[], parameterFormat: ParameterFormat): TemplateParameters {
  const result: TemplateParameters = { format: parameterFormat, header: null, body: { parameters: [] }, buttons: [] };
  for (const component of components) {
    switch (componentType(component)) {
      case 'HEADER': {
        const h = headerComponent.parse(component);
        const format = (h.format ?? 'TEXT').toUpperCase();
        const names = format === 'TEXT' ? variablesIn(h.text, parameterFormat) : [];
        result.header = { format, parameters: withExamples(names, h.example?.header_text, h.example?.header_text_named_params) };
        break;
      }
      case 'BODY': {
        const b = bodyComponent.parse(component);
        const names = variablesIn(b.text, parameterFormat);
        result.body = { parameters: withExamples(names, b.example?.body_text?.[0], b.example?.body_text_named_params) };
        break;
      }
      case 'BUTTONS':
        result.buttons = buttonsComponent.parse(component).buttons.map((raw, index) => button(raw, index));
        break;
      default:
        // FOOTER has no variables; other component types carry nothing a send fills in.
        break;
    }
  }
  return result;
}

function button(raw: unknown, index: number): TemplateButton {
  const parsed = buttonSchema.safeParse(raw);
  if (!parsed.success) return { index, type: 'UNKNOWN', text: '', parameters: [] };
  const b = parsed.data;
  const type = b.type.toUpperCase();
  const examples = typeof b.example === 'string' ? [b.example] : b.example;
  if (type === 'URL') {
    // Only the suffix is sent (§4.3): its example is the part of the example URL after the fixed prefix.
    const names = variablesIn(b.url, 'POSITIONAL');
    const prefix = b.url?.split('{{')[0] ?? '';
    const example = examples?.[0];
    const suffix = example !== undefined && example.startsWith(prefix) ? example.slice(prefix.length) : example;
    return { index, type, text: b.text, url: b.url, parameters: names.map((name) => ({ name, example: suffix })) };
  }
  if (type === 'COPY_CODE') return { index, type, text: b.text, parameters: [{ name: 'coupon_code', example: examples?.[0] }] };
  return { index, type, text: b.text, parameters: [] };
}
