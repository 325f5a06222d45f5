import { z } from 'zod';
import { templateParameters } from '../templates/template-parameters';
import type { TemplateContent } from './send-content';

const storedComponents = z.array(z.record(z.string(), z.unknown())).catch([]);

export interface TemplateShape {
  format: 'POSITIONAL' | 'NAMED';
  /** TEXT, IMAGE, VIDEO, DOCUMENT, LOCATION; undefined when there is no header. */
  headerFormat: string | undefined;
  header: string[];
  body: string[];
  /** Every button, by index, and whether it takes a value (a URL suffix variable). */
  buttons: { index: number; type: string; takesText: boolean }[];
}

/** What parameters a stored template takes, read by the same parser that the templates API exposes. */
export function templateShape(components: unknown, parameterFormat: string): TemplateShape {
  const p = templateParameters(storedComponents.parse(components), parameterFormat.toUpperCase() === 'NAMED' ? 'NAMED' : 'POSITIONAL');
  return {
    format: p.format,
    headerFormat: p.header?.format,
    header: p.header?.parameters.map((x) => x.name) ?? [],
    body: p.body.parameters.map((x) => x.name),
    buttons: p.buttons.map((b) => ({ index: b.index, type: b.type, takesText: b.type === 'URL' && b.parameters.length > 0 })),
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
