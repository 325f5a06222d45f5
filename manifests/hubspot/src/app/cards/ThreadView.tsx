import { Flex, StatusTag, Tag, Text } from '@hubspot/ui-extensions';
import type { CardMessage, CardThread, MessageStatus } from './card-api';

/** WhatsApp's ticks, in words too (a screen reader reads the label, not the glyph). */
const TICKS: Record<Exclude<MessageStatus, null>, string> = {
  pending: '🕓 sending',
  sent: '✓ sent',
  delivered: '✓✓ delivered',
  read: '✓✓ read',
  failed: '✗ failed',
};

function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().slice(0, 16).replace('T', ' ');
}

function Message({ message }: { message: CardMessage }) {
  const who = message.direction === 'inbound' ? 'Customer' : 'Sent';
  return (
    <Flex direction="column" gap="flush" testId={`message-${message.id}`}>
      <Text variant="microcopy">
        {who} · {formatTime(message.sentAt)}{message.status === null ? '' : ` · ${TICKS[message.status]}`}
      </Text>
      <Text>{message.text ?? `[${message.type}]`}</Text>
      {message.error === null ? null : <StatusTag variant="danger">Not delivered: {message.error}</StatusTag>}
    </Flex>
  );
}

/** Who holds the conversation (on any platform: a Zendesk agent too), the 24-hour window and consent. */
export function ThreadHeader({ thread }: { thread: CardThread }) {
  const holder = thread.conversation?.holder;
  const closes = thread.window.closesAt === null ? '' : ` until ${formatTime(thread.window.closesAt)} UTC`;
  return (
    <Flex direction="row" gap="small" wrap="wrap">
      <Tag variant={thread.window.open ? 'success' : 'warning'} testId="window">
        {thread.window.open ? `24-hour window open${closes}` : '24-hour window closed: templates only'}
      </Tag>
      <Tag variant={thread.consent === 'opted_out' ? 'error' : 'default'} testId="consent">
        {thread.consent === 'opted_in' ? 'Opted in' : thread.consent === 'opted_out' ? 'Opted out (STOP)' : 'Consent unknown'}
      </Tag>
      <Tag testId="holder">{holder == null ? 'Unassigned' : `Held by ${holder.name} (${holder.platform})`}</Tag>
    </Flex>
  );
}

export function ThreadMessages({ messages }: { messages: CardMessage[] }) {
  if (messages.length === 0) return <Text>No WhatsApp messages with this contact yet.</Text>;
  return (
    <Flex direction="column" gap="small">
      {messages.map((m) => <Message key={m.id} message={m} />)}
    </Flex>
  );
}
