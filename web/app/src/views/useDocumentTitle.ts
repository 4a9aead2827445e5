import { useEffect } from 'react';

/** Set the window title; while `flash` is set, alternate with it every second (taskbar flashing). */
export function useDocumentTitle(title: string, flash: string | null): void {
  useEffect(() => {
    document.title = title;
    if (!flash) return;
    let on = false;
    const timer = setInterval(() => {
      on = !on;
      document.title = on ? flash : title;
    }, 1_000);
    return () => {
      clearInterval(timer);
      document.title = title;
    };
  }, [title, flash]);
}
