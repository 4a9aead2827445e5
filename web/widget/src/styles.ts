/**
 * The widget's CSS, inside its shadow root. `:host { all: initial }` cuts inheritance from
 * the host page (fonts, colours, line heights); nothing here can reach the page.
 */
export const STYLES = `
:host { all: initial; }
.tw { --tw-brand: #1677ff; position: fixed; bottom: 20px; z-index: 2147483000; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", sans-serif; color: #1f2329; }
.tw.right { right: 20px; } .tw.left { left: 20px; }
.tw *, .tw *::before, .tw *::after { box-sizing: border-box; }
.tw-launcher { width: 56px; height: 56px; border-radius: 50%; border: 0; background: var(--tw-brand); color: #fff; cursor: pointer; box-shadow: 0 6px 20px rgba(0,0,0,.2); display: grid; place-items: center; margin-left: auto; }
.tw.left .tw-launcher { margin-left: 0; }
.tw-launcher:focus-visible, .tw-send:focus-visible, .tw-close:focus-visible { outline: 3px solid #91caff; outline-offset: 2px; }
.tw-panel { width: 360px; height: min(560px, calc(100vh - 110px)); margin-bottom: 14px; background: #fff; border-radius: 14px; box-shadow: 0 12px 40px rgba(0,0,0,.22); display: flex; flex-direction: column; overflow: hidden; }
.tw-panel[hidden] { display: none; }
.tw-header { display: flex; align-items: center; gap: 8px; padding: 12px 14px; background: var(--tw-brand); color: #fff; }
.tw-heading { display: flex; flex-direction: column; flex: 1; min-width: 0; }
.tw-title { font-size: 15px; }
.tw-status { font-size: 12px; opacity: .9; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.tw-close { border: 0; background: transparent; color: inherit; font-size: 24px; line-height: 1; cursor: pointer; padding: 2px 6px; }
.tw-list { flex: 1; overflow-y: auto; padding: 12px; background: #f5f6f7; display: flex; flex-direction: column; gap: 8px; }
.tw-line { max-width: 80%; padding: 8px 11px; border-radius: 12px; white-space: pre-wrap; word-break: break-word; }
.tw-theirs { align-self: flex-start; background: #fff; border: 1px solid #e5e6eb; }
.tw-mine { align-self: flex-end; background: var(--tw-brand); color: #fff; }
.tw-mine:has(.tw-card) { background: transparent; padding: 0; }
.tw-pending { opacity: .6; }
.tw-event, .tw-error { align-self: center; font-size: 12px; color: #646a73; }
.tw-error { color: #d4380d; }
.tw-card { display: flex; gap: 10px; width: 260px; max-width: 100%; background: #fff; color: #1f2329; border: 1px solid #e5e6eb; border-radius: 10px; padding: 10px; }
.tw-card-image { width: 64px; height: 64px; object-fit: cover; border-radius: 6px; flex: none; }
.tw-card-text { display: flex; flex-direction: column; gap: 2px; min-width: 0; flex: 1; }
.tw-card-description { color: #646a73; font-size: 12px; }
.tw-card-price { color: #d4380d; font-weight: 600; }
.tw-card-field { display: flex; gap: 6px; font-size: 12px; }
.tw-card-label { color: #8f959e; } .tw-card-value { overflow-wrap: anywhere; }
.tw-card-link { color: var(--tw-brand); font-size: 12px; text-decoration: none; margin-top: 2px; }
.tw-compose { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #e5e6eb; background: #fff; }
.tw-input { flex: 1; resize: none; border: 1px solid #d0d3d6; border-radius: 8px; padding: 8px 10px; font: inherit; color: inherit; max-height: 120px; background: #fff; }
.tw-input:focus { outline: none; border-color: var(--tw-brand); }
.tw-send { border: 0; border-radius: 8px; background: var(--tw-brand); color: #fff; padding: 0 16px; font: inherit; cursor: pointer; }
@media (max-width: 480px) {
  .tw { bottom: 12px; } .tw.right { right: 12px; } .tw.left { left: 12px; }
  .tw-panel { position: fixed; inset: 0; width: auto; height: auto; margin: 0; border-radius: 0; }
  .tw-launcher.open { display: none; }
}
@media (prefers-color-scheme: dark) {
  .tw-panel { background: #1f1f1f; color: #e8e8e8; }
  .tw-list { background: #141414; }
  .tw-theirs, .tw-card, .tw-compose, .tw-input { background: #262626; color: #e8e8e8; border-color: #3a3a3a; }
}
`;
