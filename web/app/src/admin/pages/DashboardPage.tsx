/**
 * The dashboard (PRODUCT.md K6, decision 0061): online now, active users, messages, new users
 * and groups per day over 1 to 90 days, and the storage used. Charts are uPlot (about 20 KB
 * compressed), loaded with this page only; their colours follow the console's theme.
 */
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { PageProps } from '../pages';
import { AdminError } from '../AdminApi';
import { EmptyState } from '../ui';
import './DashboardPage.css';

interface Report {
  time_zone: string;
  days: string[];
  online_now: number;
  weekly_active_users: number;
  users: number;
  groups: number;
  active_users: number[];
  messages: number[];
  new_users: number[];
  new_groups: number[];
  storage: { files: number; file_bytes: number; database_bytes: number };
}

const RANGES = [1, 7, 30, 90] as const;

export default function DashboardPage({ api, lang, t }: PageProps) {
  const [days, setDays] = useState<number>(7);
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const load = () =>
      api
        .get<Report>('dashboard', { days })
        .then((r) => {
          if (!live) return;
          setReport(r);
          setError(null);
        })
        .catch((e: unknown) => live && setError(e instanceof AdminError ? e.message : String(e)));
    void load();
    // "Online now" moves: look again every 30 s while the page is open.
    const timer = setInterval(load, 30_000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [api, days]);

  const colors = useThemeColors();
  const number = (n: number) => n.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB');
  const last = (series: number[]) => series[series.length - 1] ?? 0;
  const sum = (series: number[]) => series.reduce((a, b) => a + b, 0);

  return (
    <section className="dash">
      <div className="dash-toolbar">
        <div className="dash-range" role="group" aria-label={t('Range', '时间范围')}>
          {RANGES.map((n) => (
            <button key={n} type="button" className={n === days ? 'active' : undefined} aria-pressed={n === days} onClick={() => setDays(n)}>
              {n === 1 ? t('Today', '今天') : t(`${n} days`, `${n} 天`)}
            </button>
          ))}
        </div>
        {report && (
          <span className="dash-zone">
            {t('Days in', '按时区')} {report.time_zone}
          </span>
        )}
      </div>
      {error && <EmptyState>{error}</EmptyState>}
      {report && (
        <>
          <div className="dash-cards">
            <Card label={t('Online now', '当前在线')} value={number(report.online_now)} testId="online" />
            <Card label={t('Active today', '今日活跃')} value={number(last(report.active_users))} testId="active-today" />
            <Card label={t('Weekly active', '周活跃')} value={number(report.weekly_active_users)} testId="weekly-active" />
            <Card
              label={days === 1 ? t('Messages today', '今日消息') : t(`Messages, ${days} days`, `${days} 天消息`)}
              value={number(sum(report.messages))}
              testId="messages"
            />
            <Card label={t('Users', '用户')} value={number(report.users)} hint={t(`+${sum(report.new_users)} new`, `新增 ${sum(report.new_users)}`)} testId="users" />
            <Card label={t('Groups', '群组')} value={number(report.groups)} hint={t(`+${sum(report.new_groups)} new`, `新增 ${sum(report.new_groups)}`)} testId="groups" />
            <Card
              label={t('Storage used', '已用存储')}
              value={bytes(report.storage.file_bytes + report.storage.database_bytes)}
              hint={t(
                `${number(report.storage.files)} files ${bytes(report.storage.file_bytes)} · database ${bytes(report.storage.database_bytes)}`,
                `${number(report.storage.files)} 个文件 ${bytes(report.storage.file_bytes)} · 数据库 ${bytes(report.storage.database_bytes)}`,
              )}
              testId="storage"
            />
          </div>
          <div className="dash-charts">
            <Chart
              title={t('Active users per day', '每日活跃用户')}
              days={report.days}
              lang={lang}
              series={[{ label: t('Active users', '活跃用户'), values: report.active_users, color: colors.accent }]}
              colors={colors}
              kind="line"
            />
            <Chart
              title={t('Messages per day', '每日消息数')}
              days={report.days}
              lang={lang}
              series={[{ label: t('Messages', '消息'), values: report.messages, color: colors.accent }]}
              colors={colors}
              kind="bars"
            />
            <Chart
              title={t('New users and groups per day', '每日新增用户与群组')}
              days={report.days}
              lang={lang}
              series={[
                { label: t('New users', '新用户'), values: report.new_users, color: colors.accent },
                { label: t('New groups', '新群组'), values: report.new_groups, color: colors.good },
              ]}
              colors={colors}
              kind="line"
            />
          </div>
        </>
      )}
      {!report && !error && <div className="adm-loading">{t('Loading…', '加载中…')}</div>}
    </section>
  );
}

function Card({ label, value, hint, testId }: { label: string; value: string; hint?: string; testId: string }) {
  return (
    <div className="dash-card" data-stat={testId}>
      <span className="dash-card-label">{label}</span>
      <strong className="dash-card-value">{value}</strong>
      {hint && <span className="dash-card-hint">{hint}</span>}
    </div>
  );
}

interface Colors {
  accent: string;
  good: string;
  fg: string;
  muted: string;
  line: string;
}

/** The theme's colours, read again when the theme or the system's scheme changes. */
function useThemeColors(): Colors {
  const read = (): Colors => {
    const style = getComputedStyle(document.documentElement);
    const v = (name: string) => style.getPropertyValue(name).trim();
    return { accent: v('--accent'), good: v('--good'), fg: v('--fg'), muted: v('--muted'), line: v('--line') };
  };
  const [colors, setColors] = useState<Colors>(read);
  useEffect(() => {
    const update = () => setColors(read());
    const scheme = window.matchMedia('(prefers-color-scheme: dark)');
    scheme.addEventListener('change', update);
    const observer = new MutationObserver(update);
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => {
      scheme.removeEventListener('change', update);
      observer.disconnect();
    };
  }, []);
  return colors;
}

interface Series {
  label: string;
  values: number[];
  color: string;
}

function Chart({ title, days, series, colors, kind, lang }: { title: string; days: string[]; series: Series[]; colors: Colors; kind: 'line' | 'bars'; lang: 'en' | 'zh' }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const label = (i: number) => {
      const day = days[Math.round(i)];
      if (!day) return '';
      const [, month, date] = day.split('-');
      return lang === 'zh' ? `${Number(month)}月${Number(date)}日` : `${Number(date)}/${Number(month)}`;
    };
    const axis = (): uPlot.Axis => ({ stroke: colors.muted, grid: { stroke: colors.line, width: 1 }, ticks: { stroke: colors.line, width: 1 } });
    const bars = uPlot.paths.bars ? uPlot.paths.bars({ size: [0.6, 48] }) : undefined;
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 200),
      height: 220,
      // A day's position is its index: no time zone of the browser moves a day.
      scales: { x: { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] }, y: { range: (_u, _min, max) => [0, Math.max(max, 4) * 1.1] } },
      axes: [
        { ...axis(), values: (_u, splits) => splits.map((s) => (Number.isInteger(s) ? label(s) : '')), incrs: [1, 2, 5, 7, 14, 30] },
        { ...axis(), values: (_u, splits) => splits.map((s) => (Number.isInteger(s) ? s.toLocaleString() : '')), size: 48 },
      ],
      legend: { show: series.length > 1 },
      cursor: { points: { show: kind === 'line' } },
      series: [
        { label: lang === 'zh' ? '日期' : 'Day', value: (_u, i) => (i == null ? '' : days[i] ?? '') },
        ...series.map(
          (s): uPlot.Series => ({
            label: s.label,
            stroke: s.color,
            width: kind === 'bars' ? 0 : 2,
            fill: kind === 'bars' ? s.color : undefined,
            paths: kind === 'bars' ? bars : undefined,
            points: { show: kind === 'line' && days.length <= 31 },
          }),
        ),
      ],
    };
    const data: uPlot.AlignedData = [days.map((_, i) => i), ...series.map((s) => s.values)];
    const chart = new uPlot(options, data, element);
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(element.clientWidth, 200), height: 220 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [days, series, colors, kind, lang]);
  return (
    <figure className="dash-chart">
      <figcaption>{title}</figcaption>
      <div ref={box} className="dash-plot" role="img" aria-label={title} />
    </figure>
  );
}

function bytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}
