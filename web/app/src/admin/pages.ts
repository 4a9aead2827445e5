/**
 * The console's pages: one line each. A page loads only when first opened (its own chunk), and
 * the menu shows it only to those holding its power (the server refuses the others anyway).
 */
import type { ComponentType } from 'react';
import type { AdminApi } from './AdminApi';

export type Lang = 'en' | 'zh';

export interface PageProps {
  api: AdminApi;
  lang: Lang;
  /** The words in the console's language: `t('Freeze', '冻结')`. */
  t: (en: string, zh: string) => string;
  powers: ReadonlySet<string>;
  role: string;
}

export interface PageDef {
  id: string;
  /** The power the page needs (docs/protocol.md "Admin API"); null: every admin. */
  power: string | null;
  title: { en: string; zh: string };
  /** One character or emoji shown in the menu. */
  icon: string;
  load: () => Promise<{ default: ComponentType<PageProps> }>;
}

export const PAGES: PageDef[] = [
  { id: 'home', power: null, title: { en: 'Overview', zh: '概览' }, icon: '⌂', load: () => import('./pages/HomePage') },
  { id: 'dashboard', power: 'dashboard', title: { en: 'Dashboard', zh: '数据看板' }, icon: '▦', load: () => import('./pages/DashboardPage') },
  { id: 'users', power: 'users', title: { en: 'Users', zh: '用户' }, icon: '◉', load: () => import('./pages/UsersPage') },
  { id: 'groups', power: 'groups', title: { en: 'Groups', zh: '群组' }, icon: '◎', load: () => import('./pages/GroupsPage') },
  { id: 'org', power: 'org', title: { en: 'Organization', zh: '组织架构' }, icon: '▤', load: () => import('./pages/OrgPage') },
  { id: 'broadcasts', power: 'broadcasts', title: { en: 'Broadcasts', zh: '广播通知' }, icon: '✉', load: () => import('./pages/BroadcastsPage') },
  { id: 'moderation', power: 'moderation_view', title: { en: 'Moderation', zh: '内容审核' }, icon: '⚑', load: () => import('./pages/ModerationPage') },
  { id: 'service', power: 'service', title: { en: 'Customer service', zh: '客服坐席' }, icon: '☎', load: () => import('./pages/ServiceAgentsPage') },
  { id: 'apps', power: 'apps', title: { en: 'Apps', zh: '应用' }, icon: '⧉', load: () => import('./pages/AppsPage') },
  { id: 'workbench', power: 'apps', title: { en: 'Workbench', zh: '工作台' }, icon: '▣', load: () => import('./pages/WorkbenchAppsPage') },
  { id: 'settings', power: 'settings', title: { en: 'Settings', zh: '设置' }, icon: '⚙', load: () => import('./pages/SettingsPage') },
  { id: 'audit', power: 'audit', title: { en: 'Audit log', zh: '审计日志' }, icon: '≣', load: () => import('./pages/AuditPage') },
];
