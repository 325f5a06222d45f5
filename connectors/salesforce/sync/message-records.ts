import { z } from 'zod';
import type { SyncEvent } from '../../../core/connectors/contract';
import { supersedes } from '../../../core/engine/status-order';
import { mediaUrl, renderBody } from './render-body';

/** The package's Type__c values (restricted picklist); any other WhatsApp type is filed as the nearest one. */
const messageTypes = new Set(['text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'contacts', 'template', 'interactive', 'reaction', 'unsupported']);
const typeAliases: Readonly<Record<string, string>> = { button: 'interactive' };

/** Status__c values: core's delivery statuses, `played` (a voice message heard) shown as read. */
const shownStatus: Readonly<Record<string, string>> = { sent: 'sent', delivered: 'delivered', read: 'read', played: 'read', failed: 'failed' };

const statusData = z.object({
  wamid: z.string().min(1).nullish(),
  status: z.string(),
  errorCode: z.union([z.string(), z.number()]).nullish(),
  errorTitle: z.string().nullish(),
  errorDetails: z.string().nullish(),
});

/** One WhatsApp_Message__c write: every event of the message in the batch folded into one record (a collection may not name a key twice). */
export interface MessageWrite {
  messageId: string;
  /** Indexes of the events it carries. */
  indexes: number[];
  fields: Record<string, unknown>;
  /** The core status it shows, to keep statuses from moving back within a batch. */
  status: string | undefined;
}

/**
 * Folds a message event into its record's fields (unnamespaced; Threadline_Id__c is the upsert key). Message events
 * write the message; status events write Status__c, the wamid once Meta gave one, and a failure's code and reason.
 * Core emits a status only when it moves the message forward (core/engine/status-order.ts); folding keeps that order.
 */
export function foldMessageEvent(write: MessageWrite, event: SyncEvent, index: number): void {
  write.indexes.push(index);
  const { fields } = write;
  if (event.type === 'message.inbound' || event.type === 'message.outbound') {
    const inbound = event.type === 'message.inbound';
    const type = typeof event.data.type === 'string' ? typeAliases[event.data.type] ?? event.data.type : 'unsupported';
    Object.assign(fields, {
      Direction__c: inbound ? 'Inbound' : 'Outbound',
      Type__c: messageTypes.has(type) ? type : 'unsupported',
      Body__c: renderBody(event),
      Sent_At__c: isoOr(inbound ? event.data.sentAt : undefined, event.occurredAt),
      ...(inbound ? { Status__c: 'received' } : {}),
      ...(typeof event.data.wamid === 'string' ? { Wamid__c: event.data.wamid } : {}),
    });
    const url = mediaUrl(event);
    if (url !== undefined) fields.Media_Url__c = url;
    return;
  }
  const data = statusData.safeParse(event.data);
  if (!data.success) return;
  if (data.data.wamid) fields.Wamid__c = data.data.wamid;
  const status = data.data.status;
  if (shownStatus[status] === undefined || (write.status !== undefined && !supersedes(write.status, status))) return;
  write.status = status;
  fields.Status__c = shownStatus[status];
  if (status === 'failed') {
    fields.Error_Code__c = data.data.errorCode === null || data.data.errorCode === undefined ? null : String(data.data.errorCode).slice(0, 40);
    fields.Error_Message__c = [data.data.errorTitle, data.data.errorDetails].filter((p) => p).join(': ').slice(0, 1000) || null;
  }
}

function isoOr(value: unknown, fallback: Date): string {
  const at = typeof value === 'string' ? new Date(value) : fallback;
  return (Number.isNaN(at.getTime()) ? fallback : at).toISOString();
}
