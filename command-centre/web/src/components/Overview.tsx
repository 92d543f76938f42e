// The overview: headline figures, every checkpoint with its kiosks (checkpoints with a kiosk out of
// contact first), the alerts feed, and totals per hour and per district.
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type AreaView, kioskLiveness, type Snapshot } from '../../../server/types.js';
import { fmt } from '../time.js';
import { sum } from '../totals.js';
import { AlertsFeed } from './AlertsFeed.js';
import { DistrictChart, HourlyChart } from './Charts.js';
import { CheckpointTable, checkpointState, STATE_RANK } from './CheckpointTable.js';

export function Overview({ snapshot, nowMs }: { snapshot: Snapshot; nowMs: number }) {
  const { t } = useTranslation();
  const [district, setDistrict] = useState('');
  const [query, setQuery] = useState('');
  const cps = snapshot.checkpoints;
  const states = useMemo(() => new Map(cps.map((c) => [c, checkpointState(c, nowMs)])), [cps, nowMs]);
  const today = useMemo(() => {
    const all = { allowed: 0, denied: 0, review: 0, overridden: 0, people: 0 };
    for (const c of cps) {
      const s = sum(c.today);
      for (const k of Object.keys(all) as (keyof typeof all)[]) all[k] += s[k];
    }
    return all;
  }, [cps]);
  const kiosks = cps.flatMap((c) => c.kiosks);
  const live = kiosks.filter((k) => kioskLiveness(k, nowMs) === 'online').length;
  const out = kiosks.length - live;
  const waiting = kiosks.reduce((n, k) => n + (k.unreceipted ?? 0), 0);
  const q = query.trim().toLowerCase();
  const rows = cps
    .filter((c) => !district || c.district === district)
    .filter(
      (c) =>
        !q ||
        c.checkpoint.toLowerCase().includes(q) ||
        (c.districtName ?? '').toLowerCase().includes(q) ||
        c.kiosks.some((k) => k.kiosk.toLowerCase() === q),
    )
    .sort(
      (a, b) =>
        STATE_RANK[states.get(a)!] - STATE_RANK[states.get(b)!] ||
        a.district.localeCompare(b.district) ||
        a.checkpoint.localeCompare(b.checkpoint),
    );

  return (
    <main className="overview">
      <section className="kpis" aria-label={t('today')}>
        <Kpi
          label={t('kpiOnline')}
          value={`${fmt.format(live)} / ${fmt.format(kiosks.length)}`}
          tone="good"
          id="online"
        />
        <Kpi label={t('kpiOffline')} value={fmt.format(out)} tone={out > 0 ? 'bad' : 'plain'} id="offline" />
        <Kpi
          label={t('kpiUnreceipted')}
          value={fmt.format(waiting)}
          tone={waiting > 0 ? 'warn' : 'plain'}
          id="unreceipted"
        />
        <Kpi label={t('kpiPeople')} value={fmt.format(today.people)} tone="plain" id="people" />
        <Kpi label={t('kpiAllowed')} value={fmt.format(today.allowed)} tone="good" id="allowed" />
        <Kpi label={t('kpiDenied')} value={fmt.format(today.denied)} tone="bad" id="denied" />
        <Kpi label={t('kpiReview')} value={fmt.format(today.review)} tone="warn" id="review" />
      </section>

      <section className="panel panel--table">
        <div className="panel__head">
          <h2>{t('checkpoints')}</h2>
          <div className="filters">
            <select value={district} onChange={(e) => setDistrict(e.target.value)} aria-label={t('district')}>
              <option value="">{t('allDistricts')}</option>
              {snapshot.districts.map((d) => (
                <option key={d.district} value={d.district}>
                  {d.name ?? d.district}
                </option>
              ))}
            </select>
            <input
              type="search"
              value={query}
              placeholder={t('search')}
              aria-label={t('search')}
              onChange={(e) => setQuery(e.target.value)}
            />
          </div>
        </div>
        {cps.length === 0 ? (
          <p className="empty">{t('noCheckpoints')}</p>
        ) : (
          <CheckpointTable rows={rows} nowMs={nowMs} />
        )}
      </section>

      {snapshot.areas.length > 0 ? <AreasPanel areas={snapshot.areas} /> : null}

      <AlertsFeed alerts={snapshot.alerts} nowMs={nowMs} />

      <section className="panel panel--chart">
        <h2>{t('hourly')}</h2>
        <HourlyChart hours={snapshot.hourly} />
      </section>

      <section className="panel panel--dchart">
        <h2>{t('byDistrict')}</h2>
        <DistrictChart districts={snapshot.districts} />
      </section>

      <section className="panel panel--districts">
        <h2>{t('byDistrict')}</h2>
        <table className="districts">
          <thead>
            <tr>
              <th>{t('district')}</th>
              <th className="num">{t('kiosksOnline')}</th>
              <th className="num">{t('allowed')}</th>
              <th className="num">{t('denied')}</th>
              <th className="num">{t('review')}</th>
              <th className="num">{t('people')}</th>
            </tr>
          </thead>
          <tbody>
            {snapshot.districts.map((d) => {
              const s = sum(d.today);
              return (
                <tr key={d.district} data-testid={`district-${d.district}`}>
                  <td>{d.name ?? d.district}</td>
                  <td className="num">
                    {d.online} / {d.kiosks}
                  </td>
                  <td className="num">{fmt.format(s.allowed)}</td>
                  <td className={s.denied > 0 ? 'num num--bad' : 'num'}>{fmt.format(s.denied)}</td>
                  <td className="num">{fmt.format(s.review)}</td>
                  <td className="num">{fmt.format(s.people)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {snapshot.rejected.length > 0 ? (
          <p className="rejected" data-testid="rejected">
            {t('rejected')}:{' '}
            {snapshot.rejected
              .map((r) => `${t(`rejectedReasons.${r.reason}`)} ${fmt.format(r.count)}`)
              .join(' · ')}
          </p>
        ) : null}
      </section>
    </main>
  );
}

function Kpi({ label, value, tone, id }: { label: string; value: string; tone: string; id: string }) {
  return (
    <div className={`kpi kpi--${tone}`} data-testid={`kpi-${id}`}>
      <span className="kpi__value">{value}</span>
      <span className="kpi__label">{label}</span>
    </div>
  );
}

/**
 * The people inside each locked-down area and green zone now (the permits whose newest let-through
 * passage there is `in`, from every kiosk guarding it), with the checkpoints around it.
 */
function AreasPanel({ areas }: { areas: AreaView[] }) {
  const { t } = useTranslation();
  return (
    <section className="panel panel--areas">
      <h2>{t('areasTitle')}</h2>
      <table className="districts areas" data-testid="areas">
        <thead>
          <tr>
            <th>{t('area')}</th>
            <th>{t('areaKind')}</th>
            <th className="num">{t('inside')}</th>
            <th>{t('checkpoints')}</th>
          </tr>
        </thead>
        <tbody>
          {areas.map((a) => (
            <tr key={a.area} data-testid={`area-${a.area}`} data-inside={a.inside}>
              <td>
                <strong>{a.name ?? a.area}</strong> <span className="muted">{a.area}</span>
              </td>
              <td>{t(`areaKinds.${a.kind}`)}</td>
              <td className="num num--big">{fmt.format(a.inside)}</td>
              <td>
                {a.checkpoints
                  .map((c) => `${c.checkpoint} (${t('kioskCount', { count: c.kiosks })})`)
                  .join(', ')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
