/**
 * `npm run bench [rpc|http|embedded|page-cost|compare]…`: the RPC round trip (gateway client
 * beside raw amqplib on a real broker), the HTTP load scenarios, the embedded simulator at 100
 * and 10,000 nodes (its rate, and the CPU cost of a page), and the gateway beside the real
 * ironic-api on the same real conductor. Figures only, no pass/fail.
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
if (all || wanted.includes('embedded')) {
  const { benchEmbedded } = await import('./embedded.ts');
  await benchEmbedded();
}
if (all || wanted.includes('page-cost')) {
  const { benchPageCost } = await import('./page-cost.ts');
  await benchPageCost();
}
if (all || wanted.includes('compare')) {
  const { benchCompare } = await import('./compare.ts');
  await benchCompare();
}
