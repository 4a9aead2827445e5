/**
 * Settings (K4, I10; decision 0057): feature modules, the client's entries, limits, the
 * brand and the origins allowed cross-origin (N5, decision 0063). Edits stay on the page until "Save", which sends only what changed (with the
 * version loaded, so two admins do not overwrite each other unseen); the server applies it on
 * every node and pushes it to every open client.
 */
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { AdminError } from '../AdminApi';
import type { PageProps } from '../pages';
import { EmptyState, Field, useToast } from '../ui';
import './SettingsPage.css';

type Section = 'modules' | 'buttons' | 'limits' | 'branding' | 'cors';
type Values = Record<Section, Record<string, unknown>>;

interface Loaded {
  version: number;
  settings: Values;
  changed: Partial<Record<Section, string[]>>;
  defaults: { limits: { recall_window_seconds: number; group_size_limit: number; max_file_bytes: number }; cors: { allowed_origins: string[] } };
}

type Words = Record<string, [en: string, zh: string]>;

const MODULES: Words = {
  file_sending: ['File sending', '发送文件'],
  image_sending: ['Image sending', '发送图片'],
  voice_messages: ['Voice messages', '语音消息'],
  video_messages: ['Video messages', '视频消息'],
  location: ['Location', '位置'],
  stickers: ['Stickers', '表情包'],
  contact_cards: ['Contact cards', '名片'],
  recall: ['Recall messages', '撤回消息'],
  burn_after_reading: ['Burn after reading', '阅后即焚'],
  favorites: ['Favourites', '收藏'],
  group_creation_by_members: ['Group creation by members', '成员创建群聊'],
  friend_requests: ['Friend requests', '好友申请'],
  voice_calls: ['Voice calls (coming)', '语音通话（即将推出）'],
  video_calls: ['Video calls (coming)', '视频通话（即将推出）'],
};

const BUTTONS: Words = {
  plus_media: ['"+" panel: photo or video', '"+" 面板：照片/视频'],
  plus_file: ['"+" panel: file', '"+" 面板：文件'],
  plus_screenshot: ['"+" panel: screenshot', '"+" 面板：截图'],
  plus_voice: ['"+" panel: voice', '"+" 面板：语音'],
  plus_location: ['"+" panel: location', '"+" 面板：位置'],
  plus_contact: ['"+" panel: contact card', '"+" 面板：名片'],
  plus_sticker: ['"+" panel: stickers', '"+" 面板：表情包'],
  contacts_add_friend: ['Contacts: add friend', '通讯录：加好友'],
  contacts_new_group: ['Contacts: new contact group', '通讯录：新建分组'],
  contacts_organization: ['Contacts: organization', '通讯录：组织架构'],
  me_favorites: ['Me: favourites', '我：收藏'],
};

const MB = 1024 * 1024;
const COLOUR = /^#[0-9a-fA-F]{6}$/;

/** Pictures picked on this page, shown before they are saved (the public address serves
 * only the images in force). */
const picked = new Map<string, string>();

function imageUrl(ref: unknown): string | null {
  if (typeof ref === 'string' && picked.has(ref)) return picked.get(ref) ?? null;
  const match = typeof ref === 'string' ? /^file:([A-Za-z0-9_-]{1,64})$/.exec(ref) : null;
  return match ? `/api/v1/public/branding/${match[1]}` : null;
}

export default function SettingsPage({ api, t }: PageProps) {
  const toast = useToast();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [draft, setDraft] = useState<Values | null>(null);
  const [saving, setSaving] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);

  const load = async () => {
    try {
      const found = await api.get<Loaded>('settings');
      setLoaded(found);
      setDraft(found.settings);
      setFailed(null);
    } catch (error) {
      setFailed(error instanceof AdminError ? error.message : String(error));
    }
  };
  // Loaded once when the page opens; "Save" and a conflict load again.
  useEffect(() => void load(), []);

  const changes = useMemo(() => {
    const out: Partial<Values> = {};
    if (!loaded || !draft) return out;
    for (const section of Object.keys(draft) as Section[]) {
      for (const [key, value] of Object.entries(draft[section])) {
        if (!same(loaded.settings[section][key], value)) (out[section] ??= {})[key] = value;
      }
    }
    return out;
  }, [loaded, draft]);
  const dirty = Object.keys(changes).length > 0;

  if (failed) return <EmptyState>{failed}</EmptyState>;
  if (!loaded || !draft) return <EmptyState>…</EmptyState>;

  const set = (section: Section, key: string, value: unknown) => setDraft({ ...draft, [section]: { ...draft[section], [key]: value } });
  const brand = draft.branding;
  const colour = String(brand.brand_colour);

  const save = async () => {
    setSaving(true);
    try {
      const done = await api.patch<{ version: number; changed: string[] }>('settings', { changes, version: loaded.version });
      toast(t(`Saved: ${done.changed.length} changed`, `已保存：${done.changed.length} 项更改`));
      await load();
    } catch (error) {
      const e = error as AdminError;
      toast(e.code === 'conflict' ? t('Someone else changed the settings: they were loaded again.', '他人已修改设置，已重新加载。') : e.message, 'bad');
      if (e.code === 'conflict') await load();
    } finally {
      setSaving(false);
    }
  };

  const upload = async (key: 'logo' | 'sign_in_background', file: File | undefined) => {
    if (!file) return;
    try {
      const ref = `file:${await api.uploadFile(file)}`;
      picked.set(ref, URL.createObjectURL(file));
      set('branding', key, ref);
    } catch (error) {
      toast((error as AdminError).message, 'bad');
    }
  };

  const switches = (section: 'modules' | 'buttons', words: Words) => (
    <div className="adm-set-switches">
      {Object.entries(words).map(([key, [en, zh]]) => (
        <label key={key} className="adm-set-switch">
          <input type="checkbox" checked={draft[section][key] === true} onChange={(e) => set(section, key, e.target.checked)} data-testid={`setting-${section}-${key}`} />
          <span>{t(en, zh)}</span>
        </label>
      ))}
    </div>
  );

  return (
    <div className="adm-settings">
      <div className="adm-set-bar">
        <span className="adm-set-version">{t(`Version ${loaded.version}`, `版本 ${loaded.version}`)}</span>
        <button type="button" className="adm-button" disabled={!dirty || saving} onClick={() => setDraft(loaded.settings)}>
          {t('Discard changes', '放弃更改')}
        </button>
        <button type="button" className="adm-button primary" disabled={!dirty || saving} onClick={() => void save()} data-testid="settings-save">
          {saving ? '…' : t('Save', '保存')}
        </button>
      </div>

      <Card title={t('Modules', '功能模块')} hint={t('Turned off, the server refuses it and the client hides it.', '关闭后，服务器拒绝该功能，客户端隐藏其入口。')}>
        {switches('modules', MODULES)}
      </Card>

      <Card title={t('Client buttons', '客户端按钮')} hint={t('Entries the client shows; a module turned off hides its entries too.', '客户端显示的入口；关闭的模块也会隐藏其入口。')}>
        {switches('buttons', BUTTONS)}
      </Card>

      <Card title={t('Limits', '限制')}>
        <div className="adm-set-grid">
          <Field label={t('Recall window (seconds)', '撤回时限（秒）')} hint={t(`Default ${loaded.defaults.limits.recall_window_seconds}`, `默认 ${loaded.defaults.limits.recall_window_seconds}`)}>
            <input type="number" min={0} value={Number(draft.limits.recall_window_seconds)} onChange={(e) => set('limits', 'recall_window_seconds', e.target.valueAsNumber)} data-testid="setting-recall-window" />
          </Field>
          <Field label={t('Group size limit', '群人数上限')} hint={t(`Default ${loaded.defaults.limits.group_size_limit}`, `默认 ${loaded.defaults.limits.group_size_limit}`)}>
            <input type="number" min={2} value={Number(draft.limits.group_size_limit)} onChange={(e) => set('limits', 'group_size_limit', e.target.valueAsNumber)} data-testid="setting-group-size" />
          </Field>
          <Field label={t('Largest file (MB)', '单个文件上限（MB）')} hint={t(`At most ${Math.floor(loaded.defaults.limits.max_file_bytes / MB)}`, `最多 ${Math.floor(loaded.defaults.limits.max_file_bytes / MB)}`)}>
            <input type="number" min={1} value={Math.round(Number(draft.limits.max_file_bytes) / MB)} onChange={(e) => set('limits', 'max_file_bytes', Math.round(e.target.valueAsNumber * MB))} data-testid="setting-max-file" />
          </Field>
        </div>
      </Card>

      <Card title={t('Branding', '品牌')}>
        <div className="adm-set-brand">
          <div className="adm-set-grid">
            <Field label={t('Product name', '产品名称')}>
              <input value={String(brand.product_name)} maxLength={40} onChange={(e) => set('branding', 'product_name', e.target.value)} data-testid="setting-product-name" />
            </Field>
            <Field label={t('Brand colour', '品牌色')}>
              <span className="adm-set-colour">
                <input type="color" value={COLOUR.test(colour) ? colour : '#2f6fed'} onChange={(e) => set('branding', 'brand_colour', e.target.value)} aria-label={t('Pick a colour', '选择颜色')} />
                <input value={colour} maxLength={7} onChange={(e) => set('branding', 'brand_colour', e.target.value)} data-testid="setting-brand-colour" />
              </span>
            </Field>
            <ImageField label={t('Logo (PNG, JPEG or WebP, ≤ 2 MB)', 'Logo（PNG、JPEG 或 WebP，≤ 2 MB）')} value={brand.logo} onPick={(f) => void upload('logo', f)} onClear={() => set('branding', 'logo', '')} t={t} testId="setting-logo" />
            <ImageField label={t('Sign-in background (≤ 8 MB)', '登录页背景（≤ 8 MB）')} value={brand.sign_in_background} onPick={(f) => void upload('sign_in_background', f)} onClear={() => set('branding', 'sign_in_background', '')} t={t} testId="setting-background" />
            <Field label={t('Sign-in page text', '登录页文字')}>
              <textarea rows={3} maxLength={500} value={String(brand.sign_in_text)} onChange={(e) => set('branding', 'sign_in_text', e.target.value)} data-testid="setting-sign-in-text" />
            </Field>
          </div>
          <Preview brand={brand} t={t} />
        </div>
      </Card>

      <Card
        title={t('Cross-origin access', '跨域访问')}
        hint={t(
          'Web pages of these sites (e.g. https://shop.example.com) may call the API, upload files and open the live connection, e.g. to embed the chat. Others may not.',
          '这些网站的网页（如 https://shop.example.com）可调用接口、上传文件并建立实时连接，例如嵌入聊天窗口；其他网站不可。',
        )}
      >
        <OriginsField
          value={draft.cors.allowed_origins as string[]}
          onChange={(origins) => set('cors', 'allowed_origins', origins)}
          configured={loaded.defaults.cors.allowed_origins}
          t={t}
        />
      </Card>
    </div>
  );
}

/** Arrays (the origins) compare by content; everything else is a plain value. */
function same(a: unknown, b: unknown): boolean {
  return Array.isArray(a) && Array.isArray(b) ? JSON.stringify(a) === JSON.stringify(b) : a === b;
}

function parseOrigins(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((origin) => origin.trim())
    .filter(Boolean);
}

/** One origin a line; the server checks and normalises them when saved. */
function OriginsField({ value, onChange, configured, t }: { value: string[]; onChange: (origins: string[]) => void; configured: string[]; t: PageProps['t'] }) {
  const [text, setText] = useState(value.join('\n'));
  // Discarded or saved elsewhere: show what the draft holds.
  useEffect(() => {
    if (!same(parseOrigins(text), value)) setText(value.join('\n'));
  }, [value]);
  const none = t('none', '无');
  return (
    <Field
      label={t('Allowed origins (one a line)', '允许的来源（每行一个）')}
      hint={t(`Configured on the server (TIDINGS_ALLOWED_ORIGINS): ${configured.join(', ') || none}`, `服务器配置（TIDINGS_ALLOWED_ORIGINS）：${configured.join('，') || none}`)}
    >
      <textarea
        rows={4}
        spellCheck={false}
        placeholder="https://shop.example.com"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          onChange(parseOrigins(e.target.value));
        }}
        data-testid="setting-allowed-origins"
      />
    </Field>
  );
}

function Card({ title, hint, children }: { title: string; hint?: string; children: ReactNode }) {
  return (
    <section className="adm-set-card">
      <h2>{title}</h2>
      {hint && <p className="adm-set-hint">{hint}</p>}
      {children}
    </section>
  );
}

function ImageField({ label, value, onPick, onClear, t, testId }: { label: string; value: unknown; onPick: (file: File | undefined) => void; onClear: () => void; t: PageProps['t']; testId: string }) {
  const url = imageUrl(value);
  return (
    <div className="adm-field">
      <span className="adm-field-label">{label}</span>
      <span className="adm-set-image">
        {url ? <img src={url} alt="" /> : <span className="adm-set-none">{t('None', '无')}</span>}
        <input type="file" accept="image/png,image/jpeg,image/webp" onChange={(e) => onPick(e.target.files?.[0])} data-testid={testId} />
        {url && (
          <button type="button" className="adm-button" onClick={onClear}>
            {t('Remove', '移除')}
          </button>
        )}
      </span>
    </div>
  );
}

/** The sign-in page as it will look: colour, logo, name, text, background. */
function Preview({ brand, t }: { brand: Record<string, unknown>; t: PageProps['t'] }) {
  const colour = COLOUR.test(String(brand.brand_colour)) ? String(brand.brand_colour) : '#2f6fed';
  const logo = imageUrl(brand.logo);
  const background = imageUrl(brand.sign_in_background);
  return (
    <figure className="adm-set-preview" style={background ? { backgroundImage: `url("${background}")` } : undefined} data-testid="settings-preview">
      <div className="adm-set-preview-card">
        {logo ? <img src={logo} alt="" /> : <span className="adm-set-preview-mark" style={{ background: colour }} />}
        <strong>{String(brand.product_name) || 'Tidings'}</strong>
        <small>{String(brand.sign_in_text) || t('Your team, one message away', '团队沟通，一触即达')}</small>
        <span className="adm-set-preview-button" style={{ background: colour }}>
          {t('Sign in', '登录')}
        </span>
      </div>
      <figcaption>{t('Preview of the sign-in page', '登录页预览')}</figcaption>
    </figure>
  );
}
