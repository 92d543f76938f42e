// Totals as the dashboard shows them: both directions added up.
import type { Totals } from '../../server/types.js';

export function sum(t: Totals) {
  return {
    allowed: t.in.allowed + t.out.allowed,
    denied: t.in.denied + t.out.denied,
    review: t.in.review + t.out.review,
    overridden: t.in.overridden + t.out.overridden,
    people: t.people,
  };
}
