import { describe, expect, it } from '@jest/globals';
import type { CardTemplate } from '../card-api';
import { parametersForSend, prefillParameters, previewTemplate } from '../template-parameters';

const positional: CardTemplate = { name: 'order_update', language: 'en_US', body: 'Hi {{1}}, order {{2}}', parameters: [{ name: '1', example: null }, { name: '2', example: null }] };
const named: CardTemplate = { name: 'deal', language: 'en', body: '{{name}}: {{deal_name}} ({{email}})', parameters: [{ name: 'name', example: null }, { name: 'deal_name', example: null }, { name: 'email', example: null }] };

describe('template parameters on the card', () => {
  it('prefills from the record, falling back to the WhatsApp profile name (deal records have no first name)', () => {
    expect(prefillParameters(named, { firstname: 'Ana', lastname: 'Souza', email: 'ana@example.com', dealname: 'Renewal' }, null)).toEqual(['Ana Souza', 'Renewal', 'ana@example.com']);
    expect(prefillParameters(positional, { dealname: 'Renewal' }, 'Ana (WhatsApp)')).toEqual(['Ana (WhatsApp)', '']);
  });

  it('sends a list for positional templates and a record for named ones, and previews empty parameters as placeholders', () => {
    expect(parametersForSend(positional, ['Ana', 'A-1'])).toEqual(['Ana', 'A-1']);
    expect(parametersForSend(named, ['Ana', 'Renewal', 'a@b.c'])).toEqual({ name: 'Ana', deal_name: 'Renewal', email: 'a@b.c' });
    expect(previewTemplate(positional, ['Ana', ''])).toBe('Hi Ana, order {{2}}');
  });
});
