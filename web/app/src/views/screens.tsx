/**
 * Screens loaded when first shown, not at start (decision 0043).
 *
 * The first load carries only what shows the conversation list and a chat; everything else
 * is a chunk of its own, fetched the first time it is opened (and kept offline by the service
 * worker with the rest of the build, so it opens without a network too). To make a new
 * screen lazy: export it here with `lazyScreen` under its own name and import it from
 * './screens' instead of its module; never import its module directly from a view that is
 * part of the first load (Workspace, ChatView, ConversationList, App and what they import),
 * or it comes back into the first chunk. `npm run build` prints the chunks; the initial one is
 * measured by `bench/web_transfer.py` (docs/benchmarks.md).
 */
import { lazy, Suspense, type ComponentType, type ReactNode } from 'react';
import type { Dialog } from '../viewmodels/WorkspaceViewModel';
import { LogoMark } from './Icons';

/**
 * `load` resolves to the component (its module's named export); it shows `fallback` (nothing
 * by default) for the moment the chunk takes to arrive.
 */
export function lazyScreen<P extends object>(load: () => Promise<ComponentType<P>>, fallback: ReactNode = null): ComponentType<P> {
  const Loaded = lazy(async () => ({ default: await load() }));
  function LazyScreen(props: P) {
    return (
      <Suspense fallback={fallback}>
        <Loaded {...props} />
      </Suspense>
    );
  }
  return LazyScreen;
}

/** A pane's place while its chunk arrives (keeps the layout from jumping). */
const pane = <section className="screen-loading" aria-busy="true" />;

export const SettingsView = lazyScreen(() => import('./SettingsView').then((m) => m.SettingsView), pane);
export const ContactsView = lazyScreen(() => import('./ContactsView').then((m) => m.ContactsView), pane);
export const WorkbenchView = lazyScreen(() => import('./WorkbenchView').then((m) => m.WorkbenchView), pane);
export const GroupInfoPanel = lazyScreen(() => import('./GroupInfoPanel').then((m) => m.GroupInfoPanel));
/** Signed in (the usual start), the sign-in form is not needed; until it comes, the splash. */
export const SignInView = lazyScreen(
  () => import('./SignInView').then((m) => m.SignInView),
  <main className="splash">
    <LogoMark size={56} />
  </main>,
);
export const ServiceDesk = lazyScreen(() => import('./ServiceDesk').then((m) => m.ServiceDesk), pane);
export const FavoritesPage = lazyScreen(() => import('./FavoritesPage').then((m) => m.FavoritesPage), pane);
/** The password lock's screens (h/me): shown only while something is locked. */
// Until its chunk comes, a plain cover: nothing of the app shows through (me-shell.css).
export const AppLockOverlay = lazyScreen(
  () => import('./LockViews').then((m) => m.AppLockOverlay),
  <div className="app-lock" aria-busy="true" />,
);
export const LockedChat = lazyScreen(() => import('./LockViews').then((m) => m.LockedChat));
/** The composer's screenshot button with the capture and its options (I6), after the chat shows. */
export const ScreenshotButton = lazyScreen(() => import('./Screenshot').then((m) => m.ScreenshotButton));
/** Search (B7, issue 15; decision 0073): the search box's sections, every message result, search in a chat. */
export const SearchResults = lazyScreen(() => import('./SearchViews').then((m) => m.SearchResults));
export const MessageResults = lazyScreen(() => import('./SearchViews').then((m) => m.MessageResults), pane);
export const InChatSearch = lazyScreen(() => import('./SearchViews').then((m) => m.InChatSearch));
/** A customer-service chat's bar (decision 0066), with its view model's code. */
export const ServiceChatBar = lazyScreen(() => import('./ServiceChatBar').then((m) => m.ServiceChatBarOf));
/** A call's window (decision 0074): fetched with the first call, placed or received. */
export const CallWindow = lazyScreen(() => import('./CallWindow').then((m) => m.CallWindow));
/** A group call's window (decision 0078): fetched with the first group call. */
export const GroupCallBanner = lazyScreen(() => import('./GroupCallBanner').then((m) => m.GroupCallBanner));
export const GroupCallWindow = lazyScreen(() => import('./GroupCallWindow').then((m) => m.GroupCallWindow));
export const ImageWindow = lazyScreen(() => import('./ImageWindow').then((m) => m.ImageWindow));

const LazyDialogs = lazyScreen(() => import('./Dialogs').then((m) => m.WorkspaceDialogs));
type DialogsProps = Parameters<typeof import('./Dialogs').WorkspaceDialogs>[0];
/** The workspace's dialogs (forward, new chat, profile, image viewer…): loaded with the first one opened. */
export function WorkspaceDialogs(props: DialogsProps & { dialog: Dialog }) {
  return props.dialog ? <LazyDialogs {...props} /> : null;
}
