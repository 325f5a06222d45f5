import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics for one process. Each app/worker pair shares one instance. */
export class Metrics {
  readonly registry = new Registry();
  readonly webhooksReceived = new Counter({ name: 'threadline_webhook_requests_total', help: 'Webhook requests received', labelNames: ['source', 'outcome'] as const, registers: [this.registry] });
  readonly webhookEvents = new Counter({ name: 'threadline_webhook_events_total', help: 'Events in accepted webhooks', labelNames: ['kind', 'outcome'] as const, registers: [this.registry] });
  readonly jobsProcessed = new Counter({ name: 'threadline_jobs_total', help: 'Jobs run by the worker', labelNames: ['task', 'outcome'] as const, registers: [this.registry] });
  readonly eventsProcessed = new Counter({ name: 'threadline_events_processed_total', help: 'Inbox events processed', labelNames: ['kind', 'outcome'] as const, registers: [this.registry] });
  readonly slaBreaches = new Counter({ name: 'threadline_sla_breaches_total', help: 'Response targets missed', labelNames: ['kind', 'team'] as const, registers: [this.registry] });
  readonly csatResponses = new Counter({ name: 'threadline_csat_responses_total', help: 'CSAT answers stored (the first per CSAT send)', labelNames: ['score'] as const, registers: [this.registry] });
  readonly eventLatency = new Histogram({ name: 'threadline_event_latency_seconds', help: 'From webhook accepted to event processed', buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [this.registry] });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }
}
