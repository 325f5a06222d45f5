import type { Knex } from 'knex';
import { csatSummary, type CsatSummary } from '../automation/csat-summary';
import type { AnalyticsFilter } from './analytics-filter';
import { faqDeflections, slaBreaches, type FaqDeflections, type SlaBreaches } from './automation-figures';
import { messageCost, type MessageCost } from './message-cost';
import { deliveryFigures, failuresByCode, messagesPerDay, volumeByHour, type DailyMessages, type DeliveryFigures, type FailureCount, type HourlyMessages } from './message-figures';
import { readRateCard, type RateCard } from './rate-card';
import { firstResponseTimes, resolutionTimes, type DurationGroup } from './response-times';

/** Every figure of the analytics page (issue 8 item 7) for one filter; the page, its CSV and the API show this. */
export interface AnalyticsReport {
  filter: AnalyticsFilter;
  daily: DailyMessages[];
  hourly: HourlyMessages[];
  delivery: DeliveryFigures;
  failures: FailureCount[];
  firstResponse: DurationGroup[];
  resolution: DurationGroup[];
  sla: SlaBreaches;
  faq: FaqDeflections;
  /** The whole workspace's: CSAT answers are not kept per number or team. */
  csat: CsatSummary;
  cost: MessageCost;
  rateCard: RateCard;
}

export async function analyticsReport(db: Knex, workspaceId: string, filter: AnalyticsFilter): Promise<AnalyticsReport> {
  const [daily, hourly, delivery, failures, firstResponse, resolution, sla, faq, csat, cost, rateCard] = await Promise.all([
    messagesPerDay(db, workspaceId, filter), volumeByHour(db, workspaceId, filter), deliveryFigures(db, workspaceId, filter),
    failuresByCode(db, workspaceId, filter), firstResponseTimes(db, workspaceId, filter), resolutionTimes(db, workspaceId, filter),
    slaBreaches(db, workspaceId, filter), faqDeflections(db, workspaceId, filter), csatSummary(db, workspaceId, filter),
    messageCost(db, workspaceId, filter), readRateCard(db, workspaceId),
  ]);
  return { filter, daily, hourly, delivery, failures, firstResponse, resolution, sla, faq, csat, cost, rateCard };
}
