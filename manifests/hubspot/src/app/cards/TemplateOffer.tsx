import { useState } from 'react';
import { Button, Flex, Input, Select, Text } from '@hubspot/ui-extensions';
import type { CardTemplate } from './card-api';
import { prefillParameters, previewTemplate } from './template-parameters';

const keyOf = (t: Pick<CardTemplate, 'name' | 'language'>) => `${t.name}|${t.language}`;

/**
 * Outside the 24-hour window WhatsApp takes only approved templates: pick one, check the parameters (prefilled
 * from the record), read the preview, send.
 */
export function TemplateOffer(props: {
  templates: CardTemplate[];
  properties: Record<string, string | null>;
  contactName: string | null;
  sending: boolean;
  onSend: (template: CardTemplate, values: string[]) => Promise<boolean>;
}) {
  const { templates, properties, contactName, sending, onSend } = props;
  const [selected, setSelected] = useState<CardTemplate | null>(null);
  const [values, setValues] = useState<string[]>([]);

  if (templates.length === 0) {
    return <Text>No approved template fits this conversation. Create or sync templates in WhatsApp Manager, then reload.</Text>;
  }
  const choose = (key: string | number | boolean) => {
    const template = templates.find((t) => keyOf(t) === key) ?? null;
    setSelected(template);
    setValues(template === null ? [] : prefillParameters(template, properties, contactName));
  };
  const missing = selected?.parameters.some((_p, i) => !values[i]?.trim()) ?? true;
  return (
    <Flex direction="column" gap="small">
      <Select
        label="Template"
        name="whatsapp-template"
        placeholder="Choose an approved template"
        value={selected === null ? undefined : keyOf(selected)}
        onChange={choose}
        options={templates.map((t) => ({ label: `${t.name} (${t.language})`, value: keyOf(t) }))}
      />
      {selected?.parameters.map((p, i) => (
        <Input
          key={p.name}
          label={`Parameter {{${p.name}}}`}
          name={`parameter-${p.name}`}
          placeholder={p.example ?? undefined}
          value={values[i] ?? ''}
          required
          onChange={(value) => setValues((old) => old.map((v, j) => (j === i ? value : v)))}
        />
      ))}
      {selected === null ? null : <Text testId="preview">{previewTemplate(selected, values)}</Text>}
      <Button variant="primary" disabled={sending || selected === null || missing} onClick={async () => {
          if (selected !== null) await onSend(selected, values);
        }} testId="send-template">
        {sending ? 'Sending…' : 'Send template'}
      </Button>
    </Flex>
  );
}
