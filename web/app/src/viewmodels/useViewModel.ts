import { useSyncExternalStore } from 'react';
import type { ViewModel } from './ViewModel';

/** Render from a view model's snapshot; re-render when it changes. */
export function useViewModel<S>(vm: ViewModel<S>): S {
  return useSyncExternalStore(vm.subscribe, vm.getSnapshot);
}
