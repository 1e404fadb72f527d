import { IsUserName } from '@reeltime/contracts';
import { validateSync } from 'class-validator';
import { describeErrors } from '@reeltime/observability';

export class SubscriptionRequest {
  @IsUserName()
  name!: string;
}

/** Checks a `subscribe`/`unsubscribe` payload: `{name}` with a name the rating contract accepts (checkText). */
export function readSubscription(body: unknown): { ok: true; name: string } | { ok: false; error: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, error: 'payload must be an object like {"name": "Alice Smith"}' };
  }
  const request = Object.assign(new SubscriptionRequest(), { name: (body as { name?: unknown }).name });
  const errors = validateSync(request);
  return errors.length ? { ok: false, error: describeErrors(errors) } : { ok: true, name: request.name };
}
