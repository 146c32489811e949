// Counts a view for the académie's visit indicator: a beacon naming the page (and the fiche), and,
// inside another site's frame, that site's origin. No cookie, nothing that identifies the visitor.

/** True when the page is shown inside another site's frame. */
export function framed(): boolean {
  try {
    return window.self !== window.top;
  } catch {
    return true;
  }
}

export function countVisit(page: string, practiceId?: number): void {
  const body: Record<string, unknown> = { page };
  if (practiceId !== undefined) body.practice_id = practiceId;
  if (framed() && document.referrer) {
    try {
      body.site = new URL(document.referrer).origin;
    } catch {
      // An unreadable referrer counts without a site.
    }
  }
  const data = new Blob([JSON.stringify(body)], { type: 'application/json' });
  if (!navigator.sendBeacon?.('/api/visits', data)) {
    void fetch('/api/visits', { method: 'POST', body: data, keepalive: true, credentials: 'omit' }).catch(() => undefined);
  }
}
