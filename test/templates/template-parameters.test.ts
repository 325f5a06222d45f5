import { z } from 'zod';
import { templateParameters } from '../../core/templates/template-parameters';
import { fixtureJson } from '../support/fixtures';

const listed = z.object({
  data: z.array(z.object({ name: z.string(), parameter_format: z.enum(['POSITIONAL', 'NAMED']), components: z.array(z.record(z.string(), z.unknown())) })),
}).parse(fixtureJson('template-list-response.json')).data;

function fixtureTemplate(name: string) {
  const template = listed.find((t) => t.name === name);
  if (!template) throw new Error(`fixture template ${name} missing`);
  return templateParameters(template.components, template.parameter_format);
}

describe('templateParameters: what a send must fill, from the components', () => {
  it('order_update (positional): one header text parameter, three body parameters, a quick reply and a URL suffix', () => {
    expect(fixtureTemplate('order_update')).toEqual({
      format: 'POSITIONAL',
      header: { format: 'TEXT', parameters: [{ name: '1', example: '1234' }] },
      body: { parameters: [{ name: '1', example: 'Test Customer' }, { name: '2', example: '$25.00' }, { name: '3', example: 'June 16, 2025' }] },
      buttons: [
        { index: 0, type: 'QUICK_REPLY', text: 'Cancel order', parameters: [] },
        { index: 1, type: 'URL', text: 'Track order', url: 'https://shop.example.invalid/track/{{1}}', parameters: [{ name: '1', example: '1234' }] },
      ],
    });
  });

  it('summer_promo (named): first_name and code, with their examples', () => {
    expect(fixtureTemplate('summer_promo')).toEqual({
      format: 'NAMED',
      header: null,
      body: { parameters: [{ name: 'first_name', example: 'Pablo' }, { name: 'code', example: 'SUMMER20' }] },
      buttons: [],
    });
  });

  it('weekly_deals: a body without variables needs nothing', () => {
    expect(fixtureTemplate('weekly_deals')).toEqual({ format: 'POSITIONAL', header: null, body: { parameters: [] }, buttons: [] });
  });

  it.each(['IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION'])('a %s header is reported by format, with no text parameters', (format) => {
    const p = templateParameters([{ type: 'HEADER', format, example: { header_handle: ['4::aW1hZ2U='] } }, { type: 'BODY', text: 'Hello' }], 'POSITIONAL');
    expect(p.header).toEqual({ format, parameters: [] });
  });

  it('named header parameters, repeated and out-of-order variables, and lowercase component types', () => {
    const p = templateParameters([
      { type: 'header', format: 'text', text: 'Hi {{ name }}', example: { header_text_named_params: [{ param_name: 'name', example: 'Ana' }] } },
      { type: 'BODY', text: 'Order {{order}} for {{name}}, again {{order}}', example: { body_text_named_params: [{ param_name: 'order', example: 'A1' }] } },
    ], 'NAMED');
    expect(p.header).toEqual({ format: 'TEXT', parameters: [{ name: 'name', example: 'Ana' }] });
    expect(p.body.parameters).toEqual([{ name: 'order', example: 'A1' }, { name: 'name', example: undefined }]);

    const positional = templateParameters([{ type: 'BODY', text: '{{2}} then {{1}} then {{2}}', example: { body_text: [['first', 'second']] } }], 'POSITIONAL');
    expect(positional.body.parameters).toEqual([{ name: '1', example: 'first' }, { name: '2', example: 'second' }]);
  });

  it('buttons: a static URL needs nothing, COPY_CODE needs the code, phone numbers nothing; odd shapes do not throw', () => {
    const p = templateParameters([
      { type: 'BODY', text: 'Deals' },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'URL', text: 'Shop', url: 'https://shop.example.invalid/' },
          { type: 'COPY_CODE', example: 'SAVE10' },
          { type: 'PHONE_NUMBER', text: 'Call us', phone_number: '+15550002222' },
          'not a button',
        ],
      },
      { type: 'FOOTER', text: 'No {{1}} here counts' },
    ], 'POSITIONAL');
    expect(p.buttons).toEqual([
      { index: 0, type: 'URL', text: 'Shop', url: 'https://shop.example.invalid/', parameters: [] },
      { index: 1, type: 'COPY_CODE', text: '', parameters: [{ name: 'coupon_code', example: 'SAVE10' }] },
      { index: 2, type: 'PHONE_NUMBER', text: 'Call us', parameters: [] },
      { index: 3, type: 'UNKNOWN', text: '', parameters: [] },
    ]);
    expect(p.body.parameters).toEqual([]);
    expect(templateParameters([{ type: 'BODY', text: 42, example: 'nope' }], 'POSITIONAL').body).toEqual({ parameters: [] });
  });
});
