/**
 * oslo.messaging's rabbit transport URL: `rabbit://user:pass@host:port[,user:pass@host2:port]/vhost`.
 */

export interface RabbitHost {
  hostname: string;
  port: number;
  username: string;
  password: string;
  vhost: string;
}

/**
 * Parses oslo's URL form `rabbit://u:p@h1:port1,u:p@h2:port2/vhost` and also
 * `rabbit://u:p@h1:port1/vhost,u:p@h2:port2`; every host shares the one vhost ('/' when empty).
 */
export function parseRabbitUrl(url: string): RabbitHost[] {
  const m = /^rabbit:\/\/(.*)$/.exec(url);
  if (!m) throw new TypeError(`not a rabbit:// URL: ${url}`);
  let vhost = '';
  const hosts = m[1]
    .split(',')
    .filter((s) => s !== '')
    .map((segment) => {
      const slash = segment.indexOf('/');
      let netloc = segment;
      if (slash !== -1) {
        vhost ||= segment.slice(slash + 1);
        netloc = segment.slice(0, slash);
      }
      const at = netloc.lastIndexOf('@');
      const cred = at === -1 ? '' : netloc.slice(0, at);
      const hostport = at === -1 ? netloc : netloc.slice(at + 1);
      const colon = cred.indexOf(':');
      const hp = /^(\[[^\]]+\]|[^:]*)(?::(\d+))?$/.exec(hostport);
      if (!hp) throw new TypeError(`bad host in rabbit URL: ${hostport}`);
      return {
        hostname: hp[1].replace(/^\[|\]$/g, '') || 'localhost',
        port: hp[2] ? Number(hp[2]) : 5672,
        username: decodeURIComponent(colon === -1 ? cred : cred.slice(0, colon)) || 'guest',
        password: decodeURIComponent(colon === -1 ? '' : cred.slice(colon + 1)) || (cred ? '' : 'guest'),
        vhost: '',
      };
    });
  if (hosts.length === 0) throw new TypeError(`no host in rabbit URL: ${url}`);
  const v = decodeURIComponent(vhost.replace(/\?.*$/, '')) || '/';
  return hosts.map((h) => ({ ...h, vhost: v }));
}
