/**
 * `npm run bench [rpc|http]…`: the RPC round trip (gateway client beside raw amqplib on a real
 * broker) and the HTTP load scenarios. Figures only, no pass/fail.
 */
const wanted = process.argv.slice(2);
const all = wanted.length === 0;

if (all || wanted.includes('rpc')) {
  const { benchRpc } = await import('./rpc.ts');
  await benchRpc();
}
if (all || wanted.includes('http')) {
  const { benchHttp } = await import('./http.ts');
  await benchHttp();
}
