import { useState } from 'react';
import { Button, Flex, TextArea } from '@hubspot/ui-extensions';

/** WhatsApp's limit for a text message. */
const MAX_TEXT = 4096;

/** Shown only while the window is open and consent allows (the card decides before, not after, sending). */
export function Composer({ sending, onSend }: { sending: boolean; onSend: (text: string) => Promise<boolean> }) {
  const [text, setText] = useState('');
  const tooLong = text.length > MAX_TEXT;
  const send = async () => {
    if (await onSend(text.trim())) setText('');
  };
  return (
    <Flex direction="column" gap="small">
      <TextArea
        label="Reply on WhatsApp"
        name="whatsapp-reply"
        value={text}
        onChange={setText}
        error={tooLong}
        validationMessage={tooLong ? `WhatsApp takes at most ${MAX_TEXT} characters (${text.length} now).` : undefined}
      />
      <Button variant="primary" disabled={sending || tooLong || text.trim() === ''} onClick={send} testId="send-text">
        {sending ? 'Sending…' : 'Send'}
      </Button>
    </Flex>
  );
}
