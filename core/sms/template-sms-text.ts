import { z } from 'zod';
import type { BodyParameter, TemplateContent } from '../send/send-content';

const bodyComponent = z.looseObject({ type: z.string(), text: z.string().optional() });

/** A parameter as a person reads it: currency and dates by the fallback value Meta shows where it cannot format. */
function parameterText(p: BodyParameter): string {
  if (p.type === 'text') return p.text;
  return p.type === 'currency' ? p.currency.fallback_value : p.date_time.fallback_value;
}

/** The template's BODY text as stored from Meta (components of `message_templates`), or undefined. */
export function templateBodyText(components: unknown): string | undefined {
  const parsed = z.array(bodyComponent).safeParse(components);
  return parsed.success ? parsed.data.find((c) => c.type.toUpperCase() === 'BODY')?.text : undefined;
}

/**
 * Fills `{{1}}` (positional) or `{{name}}` (named) placeholders of `text` with the send's body parameters; a
 * placeholder without a parameter is left as written, so a wrong wording shows rather than vanishes.
 */
export function fillTemplateText(text: string, content: TemplateContent): string {
  const body = content.body ?? [];
  return text.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (placeholder, key: string) => {
    const parameter = /^\d+$/.test(key) ? body[Number(key) - 1] : body.find((p) => p.parameter_name === key);
    return parameter ? parameterText(parameter) : placeholder;
  });
}
