import { useCallback, useEffect, useMemo, useState } from 'react';
import { Alert, Divider, Flex, LoadingSpinner, Text, hubspot } from '@hubspot/ui-extensions';
import { useCrmProperties } from '@hubspot/ui-extensions/crm';
import { createCardApi, newIdempotencyKey, type CardProblem, type CardTemplate, type CardThread, type Fetcher } from './card-api';
import { Composer } from './Composer';
import { PREFILL_PROPERTIES, parametersForSend } from './template-parameters';
import { TemplateOffer } from './TemplateOffer';
import { ThreadHeader, ThreadMessages } from './ThreadView';

type AlertType = 'info' | 'tip' | 'success' | 'warning' | 'danger';

export interface WhatsAppCardProps {
  context: { portal: { id: number }; user: { id: number }; crm: { objectId: number; objectTypeId: string } };
  addAlert: (alert: { title?: string; message: string; type?: AlertType }) => void;
  /** `hubspot.fetch` in HubSpot; tests pass their own. */
  fetcher?: Fetcher;
}

/**
 * The WhatsApp conversation of a contact (or a deal's contact), on its record. `hubspot.fetch` is typed for any
 * body and answer; the card uses it only in the narrower `Fetcher` shape, hence the cast.
 */
export function WhatsAppCard({ context, addAlert, fetcher = hubspot.fetch as unknown as Fetcher }: WhatsAppCardProps) {
  const api = useMemo(
    () => createCardApi(fetcher, { portalId: context.portal.id, userId: context.user.id, objectTypeId: context.crm.objectTypeId, objectId: context.crm.objectId }),
    [fetcher, context.portal.id, context.user.id, context.crm.objectTypeId, context.crm.objectId],
  );
  const { properties } = useCrmProperties(PREFILL_PROPERTIES);
  const [thread, setThread] = useState<CardThread | null>(null);
  const [problem, setProblem] = useState<CardProblem | null>(null);
  const [sending, setSending] = useState(false);
  /** The key of a send that got no answer (network error): a retry reuses it, so WhatsApp gets the message once. */
  const [pendingKey, setPendingKey] = useState<string | null>(null);

  const load = useCallback(async () => {
    const result = await api.thread();
    if (result.ok) {
      setThread(result.value);
      setProblem(null);
    } else {
      setProblem(result.problem);
    }
  }, [api]);

  useEffect(() => {
    void load();
  }, [load]);

  async function sendWith(call: (key: string) => ReturnType<typeof api.send>, what: string): Promise<boolean> {
    const key = pendingKey ?? newIdempotencyKey();
    setSending(true);
    const result = await call(key);
    setSending(false);
    if (result.ok) {
      setPendingKey(null);
      setProblem(null);
      addAlert({ type: 'success', title: 'WhatsApp', message: `${what} sent.` });
      await load();
      return true;
    }
    setPendingKey(result.problem.code === 'NETWORK' ? key : null);
    setProblem(result.problem);
    // A refusal that offers templates (the window closed meanwhile): show the offer instead of the composer.
    if (result.problem.templates !== undefined && thread !== null) {
      setThread({ ...thread, window: { open: false, closesAt: null }, templates: result.problem.templates });
    }
    return false;
  }

  if (thread === null) {
    return problem === null
      ? <LoadingSpinner label="Loading the WhatsApp conversation" />
      : <Alert title="WhatsApp conversation unavailable" variant="danger">{problem.message}</Alert>;
  }

  const canWrite = thread.consent !== 'opted_out';
  const sendTemplate = (template: CardTemplate, values: string[]) =>
    sendWith((key) => api.sendTemplate(template, parametersForSend(template, values), key), `Template ${template.name}`);
  return (
    <Flex direction="column" gap="medium">
      <ThreadHeader thread={thread} />
      {problem === null ? null : <Alert title="Not sent" variant={problem.status === 0 ? 'warning' : 'danger'}>{problem.message}</Alert>}
      <ThreadMessages messages={thread.messages} />
      <Divider />
      {thread.contact === null ? (
        <Text>This contact has not written to your WhatsApp number yet; a conversation starts when they do.</Text>
      ) : !canWrite ? (
        <Alert title="The customer opted out" variant="warning">They sent STOP: nothing can be sent until they write START.</Alert>
      ) : thread.window.open ? (
        <Composer sending={sending} onSend={(text) => sendWith((key) => api.send(text, key), 'Message')} />
      ) : (
        <TemplateOffer templates={thread.templates} properties={properties} contactName={thread.contact.name} sending={sending} onSend={sendTemplate} />
      )}
    </Flex>
  );
}

hubspot.extend<'crm.record.tab'>(({ context, actions }) => <WhatsAppCard context={context} addAlert={actions.addAlert} />);
