/** A conversation as the admin API and platforms see it. */
export interface ConversationRow {
  id: string;
  workspace_id: string;
  contact_id: string;
  whatsapp_number_id: string;
  status: 'open' | 'pending' | 'closed';
  assignee_platform: string | null;
  assignee_id: string | null;
  assignee_name: string | null;
  opened_at: Date;
  closed_at: Date | null;
  last_message_at: Date;
  last_inbound_at: Date | null;
  window_expires_at: Date | null;
  created_at: Date;
}
