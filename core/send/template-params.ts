import { z } from 'zod';
import type { TemplateContent } from './send-content';

/** A template's components as Meta lists them (§6.1–6.2); loose, as Meta adds fields. */
const templateComponents = z.array(z.looseObject({
  type: z.string(),
  format: z.string().optional(),
  text: z.string().optional(),
  buttons: z.array(z.looseObject({ type: z.string(), url: z.string().optional() })).optional(),
})).catch([]);

export interface TemplateShape {
  format: 'POSITIONAL' | 'NAMED';
  /** TEXT, IMAGE, VIDEO, DOCUMENT, LOCATION; undefined when there is no header. */
  headerFormat: string | undefined;
  header: string[];
  body: string[];
  /** Every button, by index, and whether it takes a value (a URL suffix variable). */
  buttons: { index: number; type: string; takesText: boolean }[];
}

/** `{{1}}` / `{{first_name}}`, each name once, in order of first use. */
export function placeholders(text: string | undefined): string[] {
  const seen: string[] = [];
  for (const match of (text ?? '').matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)) {
    const name = match[1];
    if (name !== undefined && !seen.includes(name)) seen.push(name);
  }
  return seen;
}

/** What parameters a stored template takes. */
export function templateShape(components: unknown, parameterFormat: string): TemplateShape {
  const list = templateComponents.parse(components);
  const header = list.find((c) => c.type.toUpperCase() === 'HEADER');
  const body = list.find((c) => c.type.toUpperCase() === 'BODY');
  const buttons = list.find((c) => c.type.toUpperCase() === 'BUTTONS')?.buttons ?? [];
  return {
    format: parameterFormat.toUpperCase() === 'NAMED' ? 'NAMED' : 'POSITIONAL',
    headerFormat: header ? (header.format ?? 'TEXT').toUpperCase() : undefined,
    header: header && (header.format ?? 'TEXT').toUpperCase() === 'TEXT' ? placeholders(header.text) : [],
    body: placeholders(body?.text),
    buttons: buttons.map((b, index) => ({ index, type: b.type.toUpperCase(), takesText: b.type.toUpperCase() === 'URL' && placeholders(b.url).length > 0 })),
  };
}

/**
 * Checks the parameters of a template send against the approved template, as Meta would
 * (132000 count, 132012 format), and returns every problem, or an empty list.
 */
export function templateParamProblems(content: TemplateContent, shape: TemplateShape): string[] {
  const problems: string[] = [];
  const named = shape.format === 'NAMED';

  const checkText = (where: 'header' | 'body', expected: string[], given: { parameter_name?: string }[]) => {
    if (named) {
      const names = given.map((p) => p.parameter_name);
      const missingName = names.some((n) => n === undefined);
      if (missingName) problems.push(`${where}: this template uses named parameters; give each a parameter_name (${expected.join(', ')})`);
      const provided = names.filter((n): n is string => n !== undefined);
      const missing = expected.filter((n) => !provided.includes(n));
      const unknown = provided.filter((n) => !expected.includes(n));
      if (missing.length) problems.push(`${where}: missing ${missing.join(', ')}`);
      if (unknown.length) problems.push(`${where}: the template has no parameter ${unknown.join(', ')}${expected.length ? ` (it has ${expected.join(', ')})` : ''}`);
      if (new Set(provided).size !== provided.length) problems.push(`${where}: a parameter_name is given twice`);
    } else {
      if (given.some((p) => p.parameter_name !== undefined)) problems.push(`${where}: this template uses positional parameters ({{1}}, {{2}} …); remove parameter_name`);
      if (given.length !== expected.length) problems.push(`${where}: the template takes ${expected.length} parameter(s), got ${given.length}`);
    }
  };

  // Header: text placeholders, or one media parameter of the header's format.
  const header = content.header ?? [];
  if (shape.headerFormat === undefined || shape.headerFormat === 'TEXT') {
    if (header.some((p) => p.type !== 'text')) problems.push(`header: the template's header is ${shape.headerFormat === undefined ? 'absent' : 'text'}; give text parameters only`);
    else checkText('header', shape.header, header.filter((p) => p.type === 'text'));
  } else if (['IMAGE', 'VIDEO', 'DOCUMENT'].includes(shape.headerFormat)) {
    const want = shape.headerFormat.toLowerCase();
    if (header.length !== 1 || header[0]?.type !== want) problems.push(`header: the template's header is ${want}; give one ${want} parameter ({ type: '${want}', ${want}: { id | link } })`);
  }

  checkText('body', shape.body, content.body ?? []);

  const given = content.buttons ?? [];
  const indexes = given.map((b) => b.index);
  if (new Set(indexes).size !== indexes.length) problems.push('buttons: an index is given twice');
  for (const b of given) {
    const button = shape.buttons.find((t) => t.index === b.index);
    if (!button) problems.push(`buttons: the template has no button ${b.index} (it has ${shape.buttons.length})`);
    else if (b.type === 'url' && !button.takesText) problems.push(`buttons: button ${b.index} is ${button.type}${button.type === 'URL' ? ' with a fixed URL' : ''}; it takes no URL suffix`);
    else if (b.type === 'quick_reply' && button.type !== 'QUICK_REPLY') problems.push(`buttons: button ${b.index} is ${button.type}, not a quick reply`);
  }
  for (const button of shape.buttons) {
    if (button.takesText && !given.some((b) => b.index === button.index && b.type === 'url')) {
      problems.push(`buttons: button ${button.index} is a URL with a variable suffix; give { type: 'url', index: ${button.index}, text }`);
    }
  }
  return problems;
}
