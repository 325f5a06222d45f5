/** A page as the admin's browser received it. */
export interface Page {
  status: number;
  location: string | undefined;
  html: string;
  /** The `csrf` hidden field of the page's form, when it has one. */
  csrf: string | undefined;
  headers: Headers;
}

/** A browser with a cookie jar, as an admin's: follows nothing by itself, so each hop of an install can be checked. */
export interface Browser {
  /** Cookies by name, as the server set them. */
  cookies: Map<string, string>;
  get(url: string): Promise<Page>;
  post(url: string, form: Record<string, string>): Promise<Page>;
}

export function browser(): Browser {
  const cookies = new Map<string, string>();
  const request = async (url: string, init: RequestInit): Promise<Page> => {
    const cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) } });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const [name = '', ...value] = pair.split('=');
      if (attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a))) cookies.delete(name.trim());
      else cookies.set(name.trim(), value.join('='));
    }
    const html = await res.text();
    return { status: res.status, location: res.headers.get('location') ?? undefined, html, csrf: /name="csrf" value="([^"]+)"/.exec(html)?.[1], headers: res.headers };
  };
  return {
    cookies,
    get: (url) => request(url, { method: 'GET' }),
    post: (url, form) => request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() }),
  };
}
