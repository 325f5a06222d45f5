import type { FakeAccount, PushInstance } from './fake-account';

export type LifecycleEventType =
  | 'create_integration_instance' | 'activate_integration_instance' | 'deactivate_integration_instance' | 'destroy_integration_instance'
  | 'create_integration' | 'destroy_integration';

/**
 * A lifecycle event as the Channel framework sends it to event_callback_url (reference §1.8): the common
 * envelope, `data.metadata` the instance metadata for the instance events, nothing but the subdomain for
 * the app-wide ones (`create_integration`, `destroy_integration`).
 */
export function lifecycleEvent(account: FakeAccount, instance: PushInstance | undefined, type: LifecycleEventType, metadata: string | undefined, at: string) {
  return {
    type_id: type,
    timestamp: at,
    subdomain: account.subdomain,
    integration_name: instance?.integrationName ?? 'Threadline WhatsApp',
    integration_id: instance?.instancePushId ?? null,
    data: metadata === undefined ? {} : { metadata },
  };
}
