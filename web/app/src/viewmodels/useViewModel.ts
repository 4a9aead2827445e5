import { useSyncExternalStore } from 'react';
import type { ViewModel } from './ViewModel';

/** Render from a view model's snapshot; re-render when it changes. */
export function useViewModel<S>(vm: ViewModel<S>): S {
  return useSyncExternalStore(vm.subscribe, vm.getSnapshot);
}

const noSubscribe = () => () => undefined;
const nothing = () => null;

/** As useViewModel, for a view model that may be absent. */
export function useOptionalViewModel<S>(vm: ViewModel<S> | null): S | null {
  return useSyncExternalStore(vm ? vm.subscribe : noSubscribe, vm ? vm.getSnapshot : nothing);
}
