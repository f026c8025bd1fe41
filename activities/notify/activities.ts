import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Dispatcher } from 'undici';
import { request } from 'undici';
import { NoticeFailureType } from '../../contracts/notice';
import type { FallbackNotice, NoticeDelivery } from '../../contracts/notice';
import { fallbackNoticeText } from './message';

export interface NotifyActivityDeps {
  /** NOTIFY_WEBHOOK_URL: receives `{ text, notice }` as JSON (Slack, Teams workflows, or any HTTP receiver). */
  webhookUrl?: string | undefined;
  dispatcher?: Dispatcher | undefined;
  timeoutMs?: number;
}

/** The fallback notice: a webhook when one is configured, else an ERROR line in the worker's log. */
export function createNotifyActivities(deps: NotifyActivityDeps) {
  const timeoutMs = deps.timeoutMs ?? 10_000;
  return {
    async sendFallbackNotice(notice: FallbackNotice): Promise<NoticeDelivery> {
      const text = fallbackNoticeText(notice);
      if (!deps.webhookUrl) {
        Context.current().log.error(text, { notice });
        return { delivered: true, channel: 'log' };
      }
      let status: number;
      try {
        const response = await request(deps.webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text, notice }),
          signal: Context.current().cancellationSignal,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          ...(deps.dispatcher ? { dispatcher: deps.dispatcher } : {}),
        });
        status = response.statusCode;
        await response.body.dump();
      } catch (err) {
        throw ApplicationFailure.create({ type: NoticeFailureType.undelivered, message: `the notice webhook did not answer: ${(err as Error).message}` });
      }
      if (status >= 200 && status < 300) return { delivered: true, channel: 'webhook' };
      if (status === 429 || status >= 500) {
        throw ApplicationFailure.create({ type: NoticeFailureType.undelivered, message: `the notice webhook answered ${status}; retrying` });
      }
      throw ApplicationFailure.create({
        type: NoticeFailureType.rejected,
        nonRetryable: true,
        message: `the notice webhook refused the notice with ${status}: check NOTIFY_WEBHOOK_URL`,
      });
    },
  };
}
